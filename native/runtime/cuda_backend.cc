#include "runtime/cuda_backend.h"

#include <cstdlib>
#include <mutex>

#include "core/config.h"
#include "core/dynamic_library.h"

namespace sk::runtime {
namespace {

constexpr size_t kErrorSize = 2048;

struct Opened {
  const SkCudaBackendApi* api = nullptr;
  std::string error;
};

Opened OpenOnce(const std::string& library_dir) {
  Opened opened;
  const std::string& override_path = GetConfig().cuda_library;
  const std::string path = !override_path.empty() ? override_path : library_dir + "/libsentencekit_cuda.so";
  std::string reason;
  void* handle = core::OpenLibrary(path, &reason);
  if (handle == nullptr) {
    opened.error = "the CUDA engine library could not be loaded (" + path + ": " + reason +
                   "); this build may have been made without CUDA (see SENTENCEKIT_CUDA in CMakeLists.txt)";
    return opened;
  }
  auto entry = reinterpret_cast<SkCudaBackendApiFn>(core::LibrarySymbol(handle, "sk_cuda_backend_api"));
  const SkCudaBackendApi* api = entry != nullptr ? entry() : nullptr;
  if (api == nullptr) {
    opened.error = path + " has no sk_cuda_backend_api";
  } else if (api->abi_version != SK_CUDA_BACKEND_ABI_VERSION) {
    opened.error = path + " speaks backend ABI " + std::to_string(api->abi_version) + ", this addon " +
                   std::to_string(SK_CUDA_BACKEND_ABI_VERSION) + ": rebuild them together";
  } else {
    opened.api = api;
  }
  return opened;  // the library stays open for the life of the process
}

Status Unavailable(const std::string& message) { return Status(StatusCode::kCudaUnavailable, message); }

}  // namespace

Status OpenCudaBackend(const std::string& library_dir, const SkCudaBackendApi** out) {
  // The first caller's directory wins: every caller in a process passes the addon's own.
  static const Opened opened = OpenOnce(library_dir);
  if (opened.api == nullptr) return Unavailable(opened.error);
  *out = opened.api;
  return Status::Ok();
}

Status ProbeCuda(const std::string& library_dir, int device, SkCudaDeviceInfo* info) {
  const SkCudaBackendApi* api = nullptr;
  SK_RETURN_IF_ERROR(OpenCudaBackend(library_dir, &api));
  char error[kErrorSize] = {0};
  if (api->probe(device, info, error, sizeof(error)) != 0) return Unavailable(error);
  return Status::Ok();
}

CudaEncoder::~CudaEncoder() {
  if (engine_ != nullptr) api_->destroy(engine_);
}

Status CudaEncoder::Load(const CudaEncoderOptions& options, std::unique_ptr<CudaEncoder>* out) {
  std::unique_ptr<CudaEncoder> encoder(new CudaEncoder());
  SK_RETURN_IF_ERROR(OpenCudaBackend(options.library_dir, &encoder->api_));
  SkCudaLoadOptions load{};
  load.model_dir = options.model_dir.c_str();
  load.dtype = options.dtype;
  load.device_index = options.device;
  load.max_tokens = options.max_tokens;
  char error[kErrorSize] = {0};
  const int code = encoder->api_->load(&load, &encoder->engine_, error, sizeof(error));
  if (code == 1) return Unavailable(error);
  if (code != 0) return ModelLoadError(error);
  encoder->api_->model_info(encoder->engine_, &encoder->info_);
  *out = std::move(encoder);
  return Status::Ok();
}

namespace {

Status CheckBatch(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                  const std::vector<int32_t>& cu_seqlens) {
  if (cu_seqlens.size() < 2 || cu_seqlens.back() != static_cast<int32_t>(ids.size())) {
    return InvalidArgument("cu_seqlens must hold num_seqs + 1 offsets ending at the number of ids");
  }
  if (!type_ids.empty() && type_ids.size() != ids.size()) return InvalidArgument("type_ids and ids differ in length");
  return Status::Ok();
}

}  // namespace

Status CudaEncoder::EncodePooled(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                                 const std::vector<int32_t>& cu_seqlens, SkCudaPooling pooling, bool normalize,
                                 int skip_leading, float* out) const {
  SK_RETURN_IF_ERROR(CheckBatch(ids, type_ids, cu_seqlens));
  char error[kErrorSize] = {0};
  if (api_->encode_pooled(engine_, ids.data(), type_ids.empty() ? nullptr : type_ids.data(), cu_seqlens.data(),
                          static_cast<int>(cu_seqlens.size() - 1), pooling, normalize ? 1 : 0, skip_leading, out,
                          error, sizeof(error)) != 0) {
    return RuntimeError(error);
  }
  return Status::Ok();
}

Status CudaEncoder::EncodeTokens(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                                 const std::vector<int32_t>& cu_seqlens, float* out) const {
  SK_RETURN_IF_ERROR(CheckBatch(ids, type_ids, cu_seqlens));
  char error[kErrorSize] = {0};
  if (api_->encode_tokens(engine_, ids.data(), type_ids.empty() ? nullptr : type_ids.data(), cu_seqlens.data(),
                          static_cast<int>(cu_seqlens.size() - 1), out, error, sizeof(error)) != 0) {
    return RuntimeError(error);
  }
  return Status::Ok();
}

Status CudaEncoder::EncodeLogits(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                                 const std::vector<int32_t>& cu_seqlens, float* out) const {
  SK_RETURN_IF_ERROR(CheckBatch(ids, type_ids, cu_seqlens));
  char error[kErrorSize] = {0};
  if (api_->encode_logits(engine_, ids.data(), type_ids.empty() ? nullptr : type_ids.data(), cu_seqlens.data(),
                          static_cast<int>(cu_seqlens.size() - 1), out, error, sizeof(error)) != 0) {
    return RuntimeError(error);
  }
  return Status::Ok();
}

Status CudaEncoder::EncodeSplade(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                                 const std::vector<int32_t>& cu_seqlens, bool log1p_twice, float* out) const {
  SK_RETURN_IF_ERROR(CheckBatch(ids, type_ids, cu_seqlens));
  char error[kErrorSize] = {0};
  if (api_->encode_splade(engine_, ids.data(), type_ids.empty() ? nullptr : type_ids.data(), cu_seqlens.data(),
                          static_cast<int>(cu_seqlens.size() - 1), log1p_twice ? 1 : 0, out, error, sizeof(error)) != 0) {
    return RuntimeError(error);
  }
  return Status::Ok();
}

CudaCorpus::~CudaCorpus() {
  if (corpus_ != nullptr) api_->corpus_destroy(corpus_);
}

Status CudaCorpus::Create(const std::string& library_dir, int device, SkCudaCorpusType type, size_t rows, int dim,
                          std::unique_ptr<CudaCorpus>* out) {
  std::unique_ptr<CudaCorpus> corpus(new CudaCorpus());
  SK_RETURN_IF_ERROR(OpenCudaBackend(library_dir, &corpus->api_));
  char error[kErrorSize] = {0};
  const int code = corpus->api_->corpus_create(device, type, rows, dim, &corpus->corpus_, error, sizeof(error));
  if (code == 1) return Unavailable(error);
  if (code != 0) return RuntimeError(error);
  corpus->rows_ = rows;
  corpus->dim_ = dim;
  corpus->type_ = type;
  *out = std::move(corpus);
  return Status::Ok();
}

Status CudaCorpus::Upload(size_t first, size_t count, const void* rows) const {
  char error[kErrorSize] = {0};
  if (api_->corpus_upload(corpus_, first, count, rows, error, sizeof(error)) != 0) return RuntimeError(error);
  return Status::Ok();
}

Status CudaCorpus::Search(const void* queries, int num_queries, int top_k, bool cosine, int32_t* ids,
                          float* scores) const {
  char error[kErrorSize] = {0};
  if (api_->corpus_search(corpus_, queries, num_queries, top_k, cosine ? 1 : 0, ids, scores, error, sizeof(error)) != 0) {
    return RuntimeError(error);
  }
  return Status::Ok();
}

Status MeasureCudaCopyBandwidth(const std::string& library_dir, int device, size_t bytes, double* gb_per_s) {
  const SkCudaBackendApi* api = nullptr;
  SK_RETURN_IF_ERROR(OpenCudaBackend(library_dir, &api));
  char error[kErrorSize] = {0};
  const int code = api->copy_bandwidth(device, bytes, gb_per_s, error, sizeof(error));
  if (code == 1) return Unavailable(error);
  if (code != 0) return RuntimeError(error);
  return Status::Ok();
}

}  // namespace sk::runtime
