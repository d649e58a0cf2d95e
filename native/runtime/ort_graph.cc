#include "runtime/ort_graph.h"

#include <algorithm>

#include "runtime/ort_runtime.h"

namespace sk::ort {

OrtGraph::~OrtGraph() {
  if (session_ != nullptr) api_->ReleaseSession(session_);
  if (memory_info_ != nullptr) api_->ReleaseMemoryInfo(memory_info_);
}

Status OrtGraph::Load(const std::string& model_path, const SessionOptions& options, std::unique_ptr<OrtGraph>* out) {
  OrtRuntime* runtime = OrtRuntime::Acquire();
  if (runtime == nullptr) return OrtRuntime::InitStatus();
  std::unique_ptr<OrtGraph> graph(new OrtGraph());
  const OrtApi* api = runtime->api();
  graph->api_ = api;
  graph->model_path_ = model_path;
  SK_RETURN_IF_ERROR(CreateSession(model_path, options, &graph->session_));
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &graph->memory_info_),
                                   StatusCode::kModelLoad, "loading " + model_path));
  SK_RETURN_IF_ERROR(SessionNames(api, graph->session_, true, &graph->input_names_));
  SK_RETURN_IF_ERROR(SessionNames(api, graph->session_, false, &graph->output_names_));
  for (size_t i = 0; i < graph->output_names_.size(); ++i) {
    ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    std::vector<int64_t> dims;
    SK_RETURN_IF_ERROR(OutputTensorInfo(api, graph->session_, i, &element, &dims));
    graph->output_types_.push_back(element);
    graph->output_dims_.push_back(std::move(dims));
  }
  *out = std::move(graph);
  return Status::Ok();
}

bool OrtGraph::HasInput(const std::string& name) const {
  return std::find(input_names_.begin(), input_names_.end(), name) != input_names_.end();
}

bool OrtGraph::HasOutput(const std::string& name) const {
  return std::find(output_names_.begin(), output_names_.end(), name) != output_names_.end();
}

ONNXTensorElementDataType OrtGraph::OutputType(const std::string& name, std::vector<int64_t>* dims) const {
  const auto at = std::find(output_names_.begin(), output_names_.end(), name);
  if (at == output_names_.end()) return ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  const size_t index = static_cast<size_t>(at - output_names_.begin());
  if (dims != nullptr) *dims = output_dims_[index];
  return output_types_[index];
}

Status OrtGraph::Run(const std::vector<NamedInput>& inputs, const std::string& output, TensorOutput* out) const {
  std::vector<OrtValue*> values(inputs.size(), nullptr);
  std::vector<const char*> names(inputs.size());
  auto release = [&]() {
    for (OrtValue* value : values) {
      if (value != nullptr) api_->ReleaseValue(value);
    }
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    const NamedInput& input = inputs[i];
    names[i] = input.name;
    // ORT reads inputs in place and never writes to them.
    Status status = FromOrtStatus(api_,
                                  api_->CreateTensorWithDataAsOrtValue(memory_info_, const_cast<void*>(input.data), input.bytes,
                                                                       input.shape.data(), input.shape.size(), input.type, &values[i]),
                                  StatusCode::kRuntime, "creating the input '" + std::string(input.name) + "' of " + model_path_);
    if (!status.ok()) {
      release();
      return status;
    }
  }
  const char* output_names[1] = {output.c_str()};
  OrtValue* result = nullptr;
  Status status = FromOrtStatus(api_, api_->Run(session_, nullptr, names.data(), values.data(), values.size(), output_names, 1, &result),
                                StatusCode::kRuntime, "running " + model_path_);
  release();
  if (!status.ok()) return status;
  return TakeOutput(api_, result, out);
}

}  // namespace sk::ort
