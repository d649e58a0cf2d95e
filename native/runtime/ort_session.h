// One ONNX Runtime inference session over a transformer exported from Hugging Face (inputs
// input_ids / attention_mask, and token_type_ids / position_ids where the graph declares them;
// output last_hidden_state or logits). Input tensors wrap the caller's buffers without copying.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/io_cache.h"
#include "runtime/ort_c_api.h"

namespace sk::ort {

struct SessionOptions {
  // Intra-op threads ORT uses for one run; 0 means one per hardware thread.
  int intra_op_threads = 0;
  // Whether ORT's workers spin between the parallel sections of one run (dozens per layer)
  // instead of sleeping and being woken for each. On by default: on a quiet 2-core machine it
  // measured lower query latency and higher throughput (bench/RESULTS.md, issue 6); with other
  // processes on the cores a spinning worker holds a core the others need, and off measured
  // better there. Either way spinning stops as soon as a run returns
  // (session.force_spinning_stop), so an idle model burns no core.
  bool allow_spinning = true;
};

// A float output tensor: kept alive by its OrtValue when ORT allocated it, or a view of an
// IoCache's buffer (valid until that cache's next run) when we did.
class TensorOutput {
 public:
  TensorOutput() = default;
  TensorOutput(const OrtApi* api, OrtValue* value, const float* data, std::vector<int64_t> shape)
      : api_(api), value_(value), data_(data), shape_(std::move(shape)) {}
  TensorOutput(TensorOutput&& other) noexcept { *this = std::move(other); }
  TensorOutput& operator=(TensorOutput&& other) noexcept;
  TensorOutput(const TensorOutput&) = delete;
  TensorOutput& operator=(const TensorOutput&) = delete;
  ~TensorOutput();

  const float* data() const { return data_; }
  const std::vector<int64_t>& shape() const { return shape_; }

 private:
  const OrtApi* api_ = nullptr;
  OrtValue* value_ = nullptr;
  const float* data_ = nullptr;
  std::vector<int64_t> shape_;
};

// One padded [batch, seq] batch of int64 inputs. `type_ids` and `position_ids` may be null
// when the graph does not take them.
struct BatchInputs {
  const int64_t* ids = nullptr;
  const int64_t* mask = nullptr;
  const int64_t* type_ids = nullptr;
  const int64_t* position_ids = nullptr;
};

// Creates an ONNX Runtime session over `model_path` with sentencekit's session settings
// (intra-op threads, spinning, denormals, full graph optimisation); errors are kModelLoad and
// name the file. The caller releases *out.
Status CreateSession(const std::string& model_path, const SessionOptions& options, ::OrtSession** out);

// The session's input (or output) names, in the graph's order.
Status SessionNames(const OrtApi* api, const ::OrtSession* session, bool inputs, std::vector<std::string>* names);

// Output `index`'s element type and declared dimensions (-1 where symbolic); the type stays
// UNDEFINED for an output that is not a tensor.
Status OutputTensorInfo(const OrtApi* api, const ::OrtSession* session, size_t index, ONNXTensorElementDataType* element,
                        std::vector<int64_t>* dims);

// Wraps an output ORT allocated (taking ownership; released on error too).
Status TakeOutput(const OrtApi* api, OrtValue* output, TensorOutput* out);

class OrtSession {
 public:
  // Loads `model_path`; errors are kModelLoad and name the file.
  static Status Load(const std::string& model_path, const SessionOptions& options,
                     std::unique_ptr<OrtSession>* out);
  ~OrtSession();
  OrtSession(const OrtSession&) = delete;
  OrtSession& operator=(const OrtSession&) = delete;

  bool has_token_type_ids() const { return has_token_type_ids_; }
  // Decoder exports (Optimum's feature-extraction export of Qwen3, Llama, ...) take the
  // positions as an input instead of deriving them from the sequence.
  bool has_position_ids() const { return has_position_ids_; }
  // The last dimension of the chosen output when the model declares it, else -1.
  int64_t output_last_dim() const { return output_last_dim_; }
  const std::string& output_name() const { return output_name_; }
  const std::string& model_path() const { return model_path_; }

  // Runs one padded batch. Safe to call from several threads at once when `cache` is null;
  // with a cache, the input tensors and the output buffer come from it (and `out` views its
  // buffer), so calls sharing one cache must be serialised.
  Status Run(const BatchInputs& inputs, size_t batch, size_t seq, TensorOutput* out, IoCache* cache = nullptr) const;

 private:
  OrtSession() = default;
  // The output's shape for a [batch, seq] input when the declared dimensions fix it.
  bool PredictOutputShape(size_t batch, size_t seq, std::vector<int64_t>* shape) const;
  Status CreateTensor(void* data, size_t bytes, const int64_t* shape, size_t rank,
                      ONNXTensorElementDataType type, OrtValue** out) const;
  // Takes ownership of an output ORT allocated.
  Status WrapOutput(OrtValue* output, TensorOutput* out) const;

  const OrtApi* api_ = nullptr;
  ::OrtSession* session_ = nullptr;
  OrtMemoryInfo* memory_info_ = nullptr;
  bool has_token_type_ids_ = false;
  bool has_position_ids_ = false;
  std::vector<std::string> input_names_;   // in the order Run passes them
  std::string output_name_;
  int64_t output_last_dim_ = -1;
  // The output's declared dimensions (-1 where symbolic). When they are [batch, seq, fixed]
  // or [batch, fixed] we know the output's shape before the run and can hand ORT our buffer.
  std::vector<int64_t> output_dims_;
  std::string model_path_;
};

}  // namespace sk::ort
