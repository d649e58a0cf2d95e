#include "napi/model_options.h"

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/js_values.h"

namespace sk::napi {
// 'left' | 'right' | undefined (the tokenizer.json's own).
pipeline::TokenizerSide ReadSide(const Napi::Object& options, const char* key) {
  if (!options.Get(key).IsString()) return pipeline::TokenizerSide::kTokenizer;
  const std::string side = GetString(options, key);
  if (side != "left" && side != "right") ThrowTypeError(options.Env(), std::string(key) + " must be 'left' or 'right'");
  return side == "left" ? pipeline::TokenizerSide::kLeft : pipeline::TokenizerSide::kRight;
}

namespace {

pipeline::DenseLayer ReadDenseLayer(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject()) ThrowTypeError(env, "expected a Dense layer object");
  const Napi::Object object = value.As<Napi::Object>();
  pipeline::DenseLayer layer;
  layer.in_features = static_cast<size_t>(GetNumber(object, "inFeatures", 0));
  layer.out_features = static_cast<size_t>(GetNumber(object, "outFeatures", 0));
  layer.weight = CopyFloats(env, object.Get("weight"), "Dense weight");
  if (!object.Get("bias").IsUndefined()) layer.bias = CopyFloats(env, object.Get("bias"), "Dense bias");
  Status status = pipeline::ParseDenseActivation(GetString(object, "activation"), &layer.activation);
  if (!status.ok()) ThrowTypeError(env, status.message());
  layer.use_residual = GetBool(object, "useResidual", false);
  if (!object.Get("residualWeight").IsUndefined()) {
    layer.residual_weight = CopyFloats(env, object.Get("residualWeight"), "Dense residual weight");
  }
  return layer;
}

}  // namespace

std::vector<float> CopyFloats(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowTypeError(env, std::string("expected a Float32Array for ") + what);
  }
  const Napi::Float32Array array = value.As<Napi::Float32Array>();
  return std::vector<float>(array.Data(), array.Data() + array.ElementLength());
}

std::vector<pipeline::DenseLayer> ReadDenseLayers(const Napi::Object& options) {
  std::vector<pipeline::DenseLayer> layers;
  const Napi::Value dense = options.Get("dense");
  if (!dense.IsArray()) return layers;
  const Napi::Array array = dense.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) layers.push_back(ReadDenseLayer(options.Env(), array.Get(i)));
  return layers;
}

pipeline::ModelFiles ReadModelFiles(const Napi::Object& options) {
  pipeline::ModelFiles files;
  files.model_path = GetString(options, "modelPath");
  files.tokenizer_path = GetString(options, "tokenizerPath");
  const double max_length = GetNumber(options, "maxLength", 512);
  if (!(max_length >= 1)) ThrowTypeError(options.Env(), "maxLength must be a positive integer");
  files.max_length = static_cast<size_t>(max_length);
  files.session.intra_op_threads = static_cast<int>(GetNumber(options, "intraOpThreads", 0));
  files.session.allow_spinning = GetBool(options, "allowSpinning", false);
  files.lowercase = GetBool(options, "lowercase", false);
  if (options.Get("tokenizerJson").IsString()) files.tokenizer_json = GetString(options, "tokenizerJson");
  if (options.Get("padToken").IsString()) files.pad_token = GetString(options, "padToken");
  files.padding_side = ReadSide(options, "paddingSide");
  files.truncation_side = ReadSide(options, "truncationSide");
  return files;
}

size_t ReadMaxLength(Napi::Env env, const Napi::Value& value) {
  if (value.IsUndefined()) return 0;
  const double length = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(length >= 0) || length != static_cast<double>(static_cast<size_t>(length))) {
    ThrowTypeError(env, "maxLength must be a non-negative integer");
  }
  return static_cast<size_t>(length);
}

namespace {

pipeline::CudaPlacement ReadCudaPlacement(const Napi::Object& options) {
  pipeline::CudaPlacement cuda;
  if (!options.Get("device").IsString() || GetString(options, "device") != "cuda") return cuda;
  cuda.enabled = true;
  cuda.library_dir = GetAddonData(options.Env()).addon_dir;
  cuda.model_dir = GetString(options, "modelDir");
  const std::string dtype = options.Get("cudaDtype").IsString() ? GetString(options, "cudaDtype") : "float16";
  cuda.dtype = dtype == "float32"    ? SK_CUDA_DTYPE_FLOAT32
               : dtype == "bfloat16" ? SK_CUDA_DTYPE_BFLOAT16
                                     : SK_CUDA_DTYPE_FLOAT16;
  return cuda;
}

pipeline::CpuEnginePlacement ReadCpuEnginePlacement(const Napi::Object& options) {
  pipeline::CpuEnginePlacement cpu_engine;
  if (!options.Get("cpuEngine").IsString()) return cpu_engine;
  const std::string engine = GetString(options, "cpuEngine");
  if (engine != "int8" && engine != "bf16x3") return cpu_engine;  // 'onnxruntime'
  cpu_engine.enabled = true;
  cpu_engine.precision = engine == "int8" ? cpu::EnginePrecision::kInt8 : cpu::EnginePrecision::kBf16x3;
  cpu_engine.model_dir = GetString(options, "modelDir");
  cpu_engine.threads = static_cast<size_t>(GetNumber(options, "intraOpThreads", 0));
  cpu_engine.allow_spinning = GetBool(options, "allowSpinning", false);
  if (options.Get("weightsTable").IsString()) {
    cpu_engine.weights_path = GetString(options, "weightsPath");
    cpu_engine.weights_table = GetString(options, "weightsTable");
  }
  return cpu_engine;
}

}  // namespace

Napi::Object LoadOptions(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(info.Env(), "expected an options object");
  return info[0].As<Napi::Object>();
}

pipeline::Placement ReadPlacement(const Napi::Object& options) {
  return pipeline::Placement{ReadCudaPlacement(options), ReadCpuEnginePlacement(options)};
}

Napi::Promise RejectDisposed(Napi::Env env) {
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed")).Value());
  return deferred.Promise();
}

}  // namespace sk::napi
