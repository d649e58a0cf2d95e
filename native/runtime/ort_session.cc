#include "runtime/ort_session.h"

#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "core/thread_priority.h"
#include "runtime/compute_threads.h"
#include "runtime/ort_runtime.h"

namespace sk::ort {
namespace {

// For calls whose failure leaves a safe default (e.g. a shape query): drop the status.
void ReleaseIfError(const OrtApi* api, OrtStatus* status) {
  if (status != nullptr) api->ReleaseStatus(status);
}

std::string StringFromAllocated(const OrtApi* api, OrtAllocator* allocator, char* text) {
  std::string result = text ? text : "";
  if (text) ReleaseIfError(api, api->AllocatorFree(allocator, text));
  return result;
}

}  // namespace

TensorOutput& TensorOutput::operator=(TensorOutput&& other) noexcept {
  if (this != &other) {
    if (value_ != nullptr) api_->ReleaseValue(value_);
    api_ = other.api_;
    value_ = other.value_;
    data_ = other.data_;
    shape_ = std::move(other.shape_);
    other.value_ = nullptr;
    other.data_ = nullptr;
  }
  return *this;
}

TensorOutput::~TensorOutput() {
  if (value_ != nullptr) api_->ReleaseValue(value_);
}

Status CreateSession(const std::string& model_path, const SessionOptions& options, ::OrtSession** out) {
  OrtRuntime* runtime = OrtRuntime::Acquire();
  if (runtime == nullptr) return OrtRuntime::InitStatus();
  const OrtApi* api = runtime->api();
  const std::string context = "loading " + model_path;
  struct stat info {};
  if (stat(model_path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return ModelLoadError("model file not found: " + model_path);
  }

  OrtSessionOptions* session_options = nullptr;
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->CreateSessionOptions(&session_options),
                                   StatusCode::kModelLoad, context));
  // Released on every path below.
  std::unique_ptr<OrtSessionOptions, void (*)(OrtSessionOptions*)> options_guard(
      session_options, [](OrtSessionOptions* o) { OrtRuntime::Get()->api()->ReleaseSessionOptions(o); });

  int threads = options.intra_op_threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SetIntraOpNumThreads(session_options, threads),
                                   StatusCode::kModelLoad, context));
  // ORT's workers at the compute niceness, as ours (runtime/compute_threads.h).
  if (ComputeThreadNice() > 0) {
    SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SessionOptionsSetCustomCreateThreadFn(session_options, &CreateComputeThread),
                                     StatusCode::kModelLoad, context));
    SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SessionOptionsSetCustomJoinThreadFn(session_options, &JoinComputeThread),
                                     StatusCode::kModelLoad, context));
  }
  // One graph, run sequentially: parallelism comes from intra-op threads.
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SetInterOpNumThreads(session_options, 1),
                                   StatusCode::kModelLoad, context));
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SetSessionExecutionMode(session_options, ORT_SEQUENTIAL),
                                   StatusCode::kModelLoad, context));
  SK_RETURN_IF_ERROR(FromOrtStatus(
      api, api->SetSessionGraphOptimizationLevel(session_options, ORT_ENABLE_ALL),
      StatusCode::kModelLoad, context));
  SK_RETURN_IF_ERROR(FromOrtStatus(
      api,
      api->AddSessionConfigEntry(session_options, "session.intra_op.allow_spinning",
                                 options.allow_spinning ? "1" : "0"),
      StatusCode::kModelLoad, context));
  SK_RETURN_IF_ERROR(FromOrtStatus(
      api, api->AddSessionConfigEntry(session_options, "session.force_spinning_stop", "1"),
      StatusCode::kModelLoad, context));
  // Flush denormals to zero on ORT's threads: GELU's erf and softmax's exp underflow into
  // them, where x86 arithmetic is many times slower. Interleaved A/B on all-MiniLM-L6-v2's
  // shape (600 mixed-length texts, 2 threads): int8 186.8 and 186.3 against 173.0 and 182.5
  // sentences/s, fp32 88.7 against 87.7. Values below 1.2e-38 change nothing an embedding shows.
  SK_RETURN_IF_ERROR(FromOrtStatus(
      api, api->AddSessionConfigEntry(session_options, "session.set_denormal_as_zero", "1"),
      StatusCode::kModelLoad, context));

  // ORTCHAR_T is wchar_t on Windows: the UTF-8 path goes through std::filesystem's conversion.
  const std::filesystem::path ort_model_path = std::filesystem::u8path(model_path);
  SK_RETURN_IF_ERROR(FromOrtStatus(
      api, api->CreateSession(runtime->env(), ort_model_path.c_str(), session_options, out),
      StatusCode::kModelLoad, context));
  return Status::Ok();
}

Status SessionNames(const OrtApi* api, const ::OrtSession* session, bool inputs, std::vector<std::string>* names) {
  OrtAllocator* allocator = nullptr;
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->GetAllocatorWithDefaultOptions(&allocator), StatusCode::kModelLoad,
                                   "reading a model's input and output names"));
  size_t count = 0;
  SK_RETURN_IF_ERROR(FromOrtStatus(api, inputs ? api->SessionGetInputCount(session, &count) : api->SessionGetOutputCount(session, &count),
                                   StatusCode::kModelLoad, "reading a model's input and output names"));
  names->clear();
  for (size_t i = 0; i < count; ++i) {
    char* raw = nullptr;
    SK_RETURN_IF_ERROR(FromOrtStatus(api, inputs ? api->SessionGetInputName(session, i, allocator, &raw)
                                                 : api->SessionGetOutputName(session, i, allocator, &raw),
                                     StatusCode::kModelLoad, "reading a model's input and output names"));
    names->push_back(StringFromAllocated(api, allocator, raw));
  }
  return Status::Ok();
}

Status OutputTensorInfo(const OrtApi* api, const ::OrtSession* session, size_t index, ONNXTensorElementDataType* element,
                        std::vector<int64_t>* dims) {
  *element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  dims->clear();
  OrtTypeInfo* type_info = nullptr;
  SK_RETURN_IF_ERROR(FromOrtStatus(api, api->SessionGetOutputTypeInfo(session, index, &type_info), StatusCode::kModelLoad,
                                   "reading a model's output types"));
  const OrtTensorTypeAndShapeInfo* tensor_info = nullptr;
  OrtStatus* cast = api->CastTypeInfoToTensorInfo(type_info, &tensor_info);
  if (cast == nullptr && tensor_info != nullptr) {
    size_t rank = 0;
    ReleaseIfError(api, api->GetTensorElementType(tensor_info, element));
    ReleaseIfError(api, api->GetDimensionsCount(tensor_info, &rank));
    dims->resize(rank);
    if (rank > 0) ReleaseIfError(api, api->GetDimensions(tensor_info, dims->data(), rank));
  }
  ReleaseIfError(api, cast);
  api->ReleaseTypeInfo(type_info);
  return Status::Ok();
}

OrtSession::~OrtSession() {
  if (session_ != nullptr) api_->ReleaseSession(session_);
  if (memory_info_ != nullptr) api_->ReleaseMemoryInfo(memory_info_);
}

Status OrtSession::Load(const std::string& model_path, const SessionOptions& options,
                        std::unique_ptr<OrtSession>* out) {
  OrtRuntime* runtime = OrtRuntime::Acquire();
  if (runtime == nullptr) return OrtRuntime::InitStatus();
  const OrtApi* api = runtime->api();

  std::unique_ptr<OrtSession> session(new OrtSession());
  session->api_ = api;
  session->model_path_ = model_path;
  const std::string context = "loading " + model_path;

  SK_RETURN_IF_ERROR(CreateSession(model_path, options, &session->session_));
  SK_RETURN_IF_ERROR(FromOrtStatus(
      api, api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &session->memory_info_),
      StatusCode::kModelLoad, context));

  std::vector<std::string> input_names;
  SK_RETURN_IF_ERROR(SessionNames(api, session->session_, true, &input_names));
  bool has_ids = false;
  bool has_mask = false;
  for (const std::string& name : input_names) {
    if (name == "input_ids") {
      has_ids = true;
    } else if (name == "attention_mask") {
      has_mask = true;
    } else if (name == "token_type_ids") {
      session->has_token_type_ids_ = true;
    } else if (name == "position_ids") {
      session->has_position_ids_ = true;
    } else {
      return ModelLoadError(model_path + " has an input '" + name +
                            "' we cannot feed (expected input_ids, attention_mask, token_type_ids, position_ids)");
    }
  }
  if (!has_ids || !has_mask) {
    return ModelLoadError(model_path + " must have inputs input_ids and attention_mask");
  }
  session->input_names_ = {"input_ids", "attention_mask"};
  if (session->has_token_type_ids_) session->input_names_.push_back("token_type_ids");
  if (session->has_position_ids_) session->input_names_.push_back("position_ids");

  std::vector<std::string> output_names;
  SK_RETURN_IF_ERROR(SessionNames(api, session->session_, false, &output_names));
  const size_t output_count = output_names.size();
  if (output_count == 0) return ModelLoadError(model_path + " has no outputs");
  // Prefer the token embeddings by name; otherwise the first output (logits for
  // classification and masked-LM heads).
  size_t chosen = 0;
  for (size_t i = 0; i < output_count; ++i) {
    if (output_names[i] == "last_hidden_state" || output_names[i] == "token_embeddings") {
      chosen = i;
      break;
    }
  }
  session->output_name_ = output_names[chosen];

  ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> dims;
  SK_RETURN_IF_ERROR(OutputTensorInfo(api, session->session_, chosen, &element, &dims));
  if (element != ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED) {
    if (element != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
      return ModelLoadError(model_path + ": output '" + session->output_name_ +
                            "' is not float32 (export the model with float32 outputs)");
    }
    if (!dims.empty()) session->output_last_dim_ = dims.back();
    session->output_dims_ = dims;
  }

  *out = std::move(session);
  return Status::Ok();
}

bool OrtSession::PredictOutputShape(size_t batch, size_t seq, std::vector<int64_t>* shape) const {
  const auto& dims = output_dims_;
  // Symbolic dimensions first (batch, then sequence), fixed ones after: the layouts of
  // last_hidden_state, token_embeddings, masked-LM and classification logits.
  if (dims.size() == 3 && dims[0] < 0 && dims[1] < 0 && dims[2] > 0) {
    *shape = {static_cast<int64_t>(batch), static_cast<int64_t>(seq), dims[2]};
    return true;
  }
  if (dims.size() == 2 && dims[0] < 0 && dims[1] > 0) {
    *shape = {static_cast<int64_t>(batch), dims[1]};
    return true;
  }
  return false;
}

Status OrtSession::CreateTensor(void* data, size_t bytes, const int64_t* shape, size_t rank,
                                ONNXTensorElementDataType type, OrtValue** out) const {
  return FromOrtStatus(api_, api_->CreateTensorWithDataAsOrtValue(memory_info_, data, bytes, shape, rank, type, out),
                       StatusCode::kRuntime, "creating a tensor for " + model_path_);
}

Status OrtSession::Run(const BatchInputs& batch_inputs, size_t batch, size_t seq, TensorOutput* out,
                       IoCache* cache) const {
  const int64_t shape[2] = {static_cast<int64_t>(batch), static_cast<int64_t>(seq)};
  const size_t bytes = batch * seq * sizeof(int64_t);
  // In input_names_' order: the optional inputs only where the graph declares them.
  const int64_t* buffers[IoCache::kMaxInputs] = {batch_inputs.ids, batch_inputs.mask, nullptr, nullptr};
  size_t slot = 2;
  if (has_token_type_ids_) buffers[slot++] = batch_inputs.type_ids;
  if (has_position_ids_) buffers[slot++] = batch_inputs.position_ids;
  const size_t input_count = input_names_.size();
  const char* input_names[IoCache::kMaxInputs] = {nullptr, nullptr, nullptr, nullptr};
  for (size_t i = 0; i < input_count; ++i) {
    input_names[i] = input_names_[i].c_str();
    if (buffers[i] == nullptr) return InternalError("missing buffer for input " + input_names_[i]);
  }
  const char* output_names[1] = {output_name_.c_str()};

  if (cache != nullptr) {
    cache->counters.runs += 1;
    std::vector<int64_t> out_shape;
    const bool preallocate = PredictOutputShape(batch, seq, &out_shape);
    size_t out_elements = 1;
    for (int64_t d : out_shape) out_elements *= static_cast<size_t>(d);
    // Sized before Find: growing the output buffer drops the cached entries.
    float* out_buffer = preallocate ? cache->OutputBuffer(out_elements) : nullptr;
    const void* keys[IoCache::kMaxInputs] = {buffers[0], buffers[1], buffers[2], buffers[3]};
    IoCache::Entry* entry = cache->Find(api_, batch, seq, keys);
    for (size_t i = 0; i < input_count; ++i) {
      if (entry->inputs[i] != nullptr) continue;
      // ORT reads these buffers in place; it never writes to inputs.
      SK_RETURN_IF_ERROR(CreateTensor(const_cast<int64_t*>(buffers[i]), bytes, shape, 2,
                                      ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, &entry->inputs[i]));
      cache->counters.tensors_created += 1;
    }
    if (preallocate && entry->output == nullptr) {
      SK_RETURN_IF_ERROR(CreateTensor(out_buffer, out_elements * sizeof(float), out_shape.data(), out_shape.size(),
                                      ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &entry->output));
      entry->output_data = out_buffer;
      cache->counters.tensors_created += 1;
    }
    if (preallocate) {
      // ORT writes the output into our buffer: no output allocation per run.
      OrtValue* outputs[1] = {entry->output};
      SK_RETURN_IF_ERROR(FromOrtStatus(
          api_, api_->Run(session_, nullptr, input_names, entry->inputs, input_count, output_names, 1, outputs),
          StatusCode::kRuntime, "running " + model_path_));
      *out = TensorOutput(api_, nullptr, entry->output_data, std::move(out_shape));
      return Status::Ok();
    }
    OrtValue* output = nullptr;
    SK_RETURN_IF_ERROR(FromOrtStatus(
        api_, api_->Run(session_, nullptr, input_names, entry->inputs, input_count, output_names, 1, &output),
        StatusCode::kRuntime, "running " + model_path_));
    return WrapOutput(output, out);
  }

  OrtValue* inputs[IoCache::kMaxInputs] = {nullptr, nullptr, nullptr, nullptr};
  auto release_inputs = [&]() {
    for (OrtValue* value : inputs) {
      if (value != nullptr) api_->ReleaseValue(value);
    }
  };
  for (size_t i = 0; i < input_count; ++i) {
    Status status = CreateTensor(const_cast<int64_t*>(buffers[i]), bytes, shape, 2,
                                 ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, &inputs[i]);
    if (!status.ok()) {
      release_inputs();
      return status;
    }
  }
  OrtValue* output = nullptr;
  Status status = FromOrtStatus(
      api_, api_->Run(session_, nullptr, input_names, inputs, input_count, output_names, 1, &output),
      StatusCode::kRuntime, "running " + model_path_);
  release_inputs();
  if (!status.ok()) return status;
  return WrapOutput(output, out);
}

Status OrtSession::WrapOutput(OrtValue* output, TensorOutput* out) const { return TakeOutput(api_, output, out); }

Status TakeOutput(const OrtApi* api, OrtValue* output, TensorOutput* out) {
  OrtTensorTypeAndShapeInfo* info = nullptr;
  Status status = FromOrtStatus(api, api->GetTensorTypeAndShape(output, &info), StatusCode::kRuntime,
                                "reading the output shape");
  if (!status.ok()) {
    api->ReleaseValue(output);
    return status;
  }
  size_t rank = 0;
  ReleaseIfError(api, api->GetDimensionsCount(info, &rank));
  std::vector<int64_t> dims(rank);
  if (rank > 0) ReleaseIfError(api, api->GetDimensions(info, dims.data(), rank));
  api->ReleaseTensorTypeAndShapeInfo(info);

  void* data = nullptr;
  status = FromOrtStatus(api, api->GetTensorMutableData(output, &data), StatusCode::kRuntime,
                         "reading the output");
  if (!status.ok()) {
    api->ReleaseValue(output);
    return status;
  }
  *out = TensorOutput(api, output, static_cast<const float*>(data), std::move(dims));
  return Status::Ok();
}

}  // namespace sk::ort
