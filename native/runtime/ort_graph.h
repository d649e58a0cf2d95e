// An ONNX Runtime session fed and fetched by name, for graphs that are not OrtSession's text
// transformer shape: CLIP's exported towers take input_ids / attention_mask (int64) and
// pixel_values (float32), and hand back text_embeds / image_embeds among other outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/ort_c_api.h"
#include "runtime/ort_session.h"

namespace sk::ort {

// One input tensor over the caller's buffer (read in place, never written).
struct NamedInput {
  const char* name = nullptr;
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  const void* data = nullptr;
  size_t bytes = 0;
  std::vector<int64_t> shape;
};

class OrtGraph {
 public:
  // Loads `model_path` with sentencekit's session settings; errors are kModelLoad and name it.
  static Status Load(const std::string& model_path, const SessionOptions& options, std::unique_ptr<OrtGraph>* out);
  ~OrtGraph();
  OrtGraph(const OrtGraph&) = delete;
  OrtGraph& operator=(const OrtGraph&) = delete;

  const std::string& model_path() const { return model_path_; }
  bool HasInput(const std::string& name) const;
  bool HasOutput(const std::string& name) const;
  const std::vector<std::string>& input_names() const { return input_names_; }
  // Output `name`'s element type (UNDEFINED when absent or not a tensor) and declared
  // dimensions (-1 where symbolic).
  ONNXTensorElementDataType OutputType(const std::string& name, std::vector<int64_t>* dims) const;

  // Runs the graph on `inputs` (every input it declares) and fetches the float32 output
  // `output`. Safe to call from several threads at once.
  Status Run(const std::vector<NamedInput>& inputs, const std::string& output, TensorOutput* out) const;

 private:
  OrtGraph() = default;

  const OrtApi* api_ = nullptr;
  ::OrtSession* session_ = nullptr;
  OrtMemoryInfo* memory_info_ = nullptr;
  std::string model_path_;
  std::vector<std::string> input_names_, output_names_;
  std::vector<ONNXTensorElementDataType> output_types_;
  std::vector<std::vector<int64_t>> output_dims_;
};

}  // namespace sk::ort
