// libsentencekit_cuda.so's one exported symbol: the table of runtime/cuda_backend_api.h.
// Everything crossing it is plain C; every failure becomes a return code and a message.
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "cuda_engine/cublaslt_library.h"
#include "cuda_engine/device_corpus.h"
#include "cuda_engine/encoder_engine.h"
#include "runtime/cuda_backend_api.h"

struct SkCudaEngine {
  std::unique_ptr<sk::cuda::EncoderEngine> engine;
};

struct SkCudaCorpus {
  std::unique_ptr<sk::cuda::DeviceCorpus> corpus;
};

namespace {

// Return codes: 1 = unavailable (no device, driver or cuBLASLt), 2 = any other failure.
constexpr int kUnavailable = 1;
constexpr int kFailed = 2;

int Fail(int code, const std::string& message, char* error, size_t error_size) {
  if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", message.c_str());
  return code;
}

int FromStatus(const sk::Status& status, char* error, size_t error_size) {
  if (status.ok()) return 0;
  return Fail(status.code() == sk::StatusCode::kCudaUnavailable ? kUnavailable : kFailed, status.message(), error,
              error_size);
}

int Probe(int device_index, SkCudaDeviceInfo* info, char* error, size_t error_size) {
  // The static CUDA runtime reports a missing driver as "insufficient driver"; say it plainly.
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) {
    return Fail(kUnavailable, "no NVIDIA driver: libcuda.so.1 could not be loaded", error, error_size);
  }
  dlclose(driver);
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    return Fail(kUnavailable, std::string("no usable CUDA driver or device: ") + cudaGetErrorName(status) + " (" +
                                  cudaGetErrorString(status) + ")", error, error_size);
  }
  if (device_index < 0 || device_index >= count) {
    return Fail(kUnavailable, "CUDA device " + std::to_string(device_index) + " does not exist (" +
                                  std::to_string(count) + " found)", error, error_size);
  }
  cudaDeviceProp props{};
  if (cudaGetDeviceProperties(&props, device_index) != cudaSuccess) {
    return Fail(kUnavailable, "cannot read CUDA device properties", error, error_size);
  }
  // Kernels are built for sm_80 and sm_90 (plus PTX for newer); older GPUs cannot run them.
  if (props.major < 8) {
    return Fail(kUnavailable, std::string(props.name) + " has compute capability " + std::to_string(props.major) + "." +
                                  std::to_string(props.minor) + "; the CUDA engine needs 8.0 or newer", error, error_size);
  }
  std::string lt_error;
  const sk::cuda::CublasLtLibrary* lib = sk::cuda::CublasLtLibrary::Get(&lt_error);
  if (lib == nullptr) return Fail(kUnavailable, lt_error, error, error_size);
  if (info != nullptr) {
    std::memset(info, 0, sizeof(*info));
    std::snprintf(info->device_name, sizeof(info->device_name), "%s", props.name);
    info->compute_capability = props.major * 10 + props.minor;
    info->total_memory_bytes = props.totalGlobalMem;
    info->cublaslt_version = static_cast<int>(lib->GetVersion());
    cudaRuntimeGetVersion(&info->runtime_version);
    cudaDriverGetVersion(&info->driver_version);
  }
  return 0;
}

int Load(const SkCudaLoadOptions* options, SkCudaEngine** out, char* error, size_t error_size) {
  try {
    if (options == nullptr || out == nullptr) return Fail(kFailed, "no options", error, error_size);
    const int probed = Probe(options->device_index, nullptr, error, error_size);
    if (probed != 0) return probed;
    auto handle = std::make_unique<SkCudaEngine>();
    const int code = FromStatus(sk::cuda::EncoderEngine::Load(*options, &handle->engine), error, error_size);
    if (code != 0) return code;
    *out = handle.release();
    return 0;
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA engine: ") + e.what(), error, error_size);
  }
}

void ModelInfo(const SkCudaEngine* engine, SkCudaModelInfo* out) {
  const sk::cuda::EncoderConfig& config = engine->engine->config();
  std::memset(out, 0, sizeof(*out));
  out->hidden_size = config.hidden_size;
  out->num_layers = config.num_layers;
  out->num_heads = config.num_heads;
  out->max_position = config.max_sequence();
  std::snprintf(out->model_type, sizeof(out->model_type), "%s", config.model_type.c_str());
  out->num_labels = engine->engine->num_labels();
  out->vocab_size = config.vocab_size;
  out->has_mlm_head = engine->engine->has_mlm_head() ? 1 : 0;
}

int EncodePooled(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids, const int32_t* cu_seqlens,
                 int num_seqs, int pooling, int normalize, int skip_leading, float* out, char* error,
                 size_t error_size) {
  try {
    if (pooling < SK_CUDA_POOL_MEAN || pooling > SK_CUDA_POOL_WEIGHTED_MEAN) {
      return Fail(kFailed, "unknown pooling mode " + std::to_string(pooling), error, error_size);
    }
    const sk::cuda::PackedBatch batch{ids, type_ids, cu_seqlens, num_seqs};
    return FromStatus(engine->engine->EncodePooled(batch, static_cast<sk::cuda::PoolMode>(pooling), normalize != 0,
                                                   skip_leading, out), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA engine: ") + e.what(), error, error_size);
  }
}

int EncodeTokens(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids, const int32_t* cu_seqlens,
                 int num_seqs, float* out, char* error, size_t error_size) {
  try {
    const sk::cuda::PackedBatch batch{ids, type_ids, cu_seqlens, num_seqs};
    return FromStatus(engine->engine->EncodeTokens(batch, out), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA engine: ") + e.what(), error, error_size);
  }
}

int EncodeLogits(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids, const int32_t* cu_seqlens,
                 int num_seqs, float* out, char* error, size_t error_size) {
  try {
    const sk::cuda::PackedBatch batch{ids, type_ids, cu_seqlens, num_seqs};
    return FromStatus(engine->engine->EncodeLogits(batch, out), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA engine: ") + e.what(), error, error_size);
  }
}

int EncodeSplade(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids, const int32_t* cu_seqlens,
                 int num_seqs, int log1p_twice, float* out, char* error, size_t error_size) {
  try {
    const sk::cuda::PackedBatch batch{ids, type_ids, cu_seqlens, num_seqs};
    return FromStatus(engine->engine->EncodeSplade(batch, log1p_twice != 0, out), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA engine: ") + e.what(), error, error_size);
  }
}

void Destroy(SkCudaEngine* engine) { delete engine; }

int CorpusCreate(int device_index, int type, size_t rows, int dim, SkCudaCorpus** out, char* error, size_t error_size) {
  try {
    if (out == nullptr) return Fail(kFailed, "no corpus out-pointer", error, error_size);
    if (type < SK_CUDA_CORPUS_FLOAT32 || type > SK_CUDA_CORPUS_INT8) {
      return Fail(kFailed, "unknown corpus type " + std::to_string(type), error, error_size);
    }
    const int probed = Probe(device_index, nullptr, error, error_size);
    if (probed != 0) return probed;
    const sk::cuda::ScoreType score_type = type == SK_CUDA_CORPUS_FLOAT32   ? sk::cuda::ScoreType::kFloat32
                                           : type == SK_CUDA_CORPUS_FLOAT16 ? sk::cuda::ScoreType::kFloat16
                                                                            : sk::cuda::ScoreType::kInt8;
    auto handle = std::make_unique<SkCudaCorpus>();
    const int code = FromStatus(sk::cuda::DeviceCorpus::Create(device_index, score_type, rows, dim, &handle->corpus),
                                error, error_size);
    if (code != 0) return code;
    *out = handle.release();
    return 0;
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA search: ") + e.what(), error, error_size);
  }
}

int CorpusUpload(SkCudaCorpus* corpus, size_t first, size_t count, const void* rows, char* error, size_t error_size) {
  try {
    return FromStatus(corpus->corpus->Upload(first, count, rows), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA search: ") + e.what(), error, error_size);
  }
}

int CorpusSearch(SkCudaCorpus* corpus, const void* queries, int num_queries, int top_k, int cosine, int32_t* ids,
                 float* scores, char* error, size_t error_size) {
  try {
    return FromStatus(corpus->corpus->Search(queries, num_queries, top_k, cosine != 0, ids, scores), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA search: ") + e.what(), error, error_size);
  }
}

void CorpusDestroy(SkCudaCorpus* corpus) { delete corpus; }

int CopyBandwidth(int device_index, size_t bytes, double* gb_per_s, char* error, size_t error_size) {
  try {
    const int probed = Probe(device_index, nullptr, error, error_size);
    if (probed != 0) return probed;
    return FromStatus(sk::cuda::MeasureCopyBandwidth(device_index, bytes, gb_per_s), error, error_size);
  } catch (const std::exception& e) {
    return Fail(kFailed, std::string("CUDA bandwidth: ") + e.what(), error, error_size);
  }
}

const SkCudaBackendApi kApi = {SK_CUDA_BACKEND_ABI_VERSION, Probe,         Load,         ModelInfo,
                               EncodePooled,                EncodeTokens,  Destroy,      EncodeLogits,
                               EncodeSplade,                CorpusCreate,                CorpusUpload,  CorpusSearch, CorpusDestroy,
                               CopyBandwidth};

}  // namespace

extern "C" __attribute__((visibility("default"))) const SkCudaBackendApi* sk_cuda_backend_api(void) { return &kApi; }
