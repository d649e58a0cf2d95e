// The core's side of the CUDA engine: opens libsentencekit_cuda.so (once per process) and
// wraps one loaded engine. The library is looked for as $SENTENCEKIT_CUDA_LIBRARY, else in
// `library_dir` (the addon's directory); anything missing — the library, a driver, a device,
// cuBLASLt — is a kCudaUnavailable Status whose message says which.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/cuda_backend_api.h"

namespace sk::runtime {

// The backend table, or kCudaUnavailable.
Status OpenCudaBackend(const std::string& library_dir, const SkCudaBackendApi** out);

// Whether CUDA device `device` can run the engine (library, driver, device, cuBLASLt).
Status ProbeCuda(const std::string& library_dir, int device, SkCudaDeviceInfo* info);

struct CudaEncoderOptions {
  std::string library_dir;
  std::string model_dir;   // config.json + model.safetensors
  SkCudaDtype dtype = SK_CUDA_DTYPE_FLOAT16;
  int device = 0;
  size_t max_tokens = 16384;
};

class CudaEncoder {
 public:
  ~CudaEncoder();
  static Status Load(const CudaEncoderOptions& options, std::unique_ptr<CudaEncoder>* out);

  const SkCudaModelInfo& info() const { return info_; }
  // One packed batch: `cu_seqlens` has num_seqs + 1 entries; type_ids may be empty.
  Status EncodePooled(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                      const std::vector<int32_t>& cu_seqlens, SkCudaPooling pooling, bool normalize,
                      int skip_leading, float* out) const;
  Status EncodeTokens(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                      const std::vector<int32_t>& cu_seqlens, float* out) const;
  // out[num_seqs * info().num_labels]: the classification head's raw logits.
  Status EncodeLogits(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                      const std::vector<int32_t>& cu_seqlens, float* out) const;
  // out[num_seqs * info().vocab_size]: SPLADE weights (see encode_splade).
  Status EncodeSplade(const std::vector<int32_t>& ids, const std::vector<int32_t>& type_ids,
                      const std::vector<int32_t>& cu_seqlens, bool log1p_twice, float* out) const;

 private:
  CudaEncoder() = default;
  const SkCudaBackendApi* api_ = nullptr;
  SkCudaEngine* engine_ = nullptr;
  SkCudaModelInfo info_{};
};

// A search corpus resident on the GPU (see cuda_backend_api.h's corpus_* functions). Search
// and Upload may be called from any thread; the engine serializes them per corpus.
class CudaCorpus {
 public:
  ~CudaCorpus();
  static Status Create(const std::string& library_dir, int device, SkCudaCorpusType type, size_t rows, int dim,
                       std::unique_ptr<CudaCorpus>* out);
  // float32 rows for FLOAT32/FLOAT16 corpora, int8 rows for INT8.
  Status Upload(size_t first, size_t count, const void* rows) const;
  // ids/scores hold num_queries * min(top_k, rows()) entries.
  Status Search(const void* queries, int num_queries, int top_k, bool cosine, int32_t* ids, float* scores) const;

  size_t rows() const { return rows_; }
  int dim() const { return dim_; }
  SkCudaCorpusType type() const { return type_; }

 private:
  CudaCorpus() = default;
  const SkCudaBackendApi* api_ = nullptr;
  SkCudaCorpus* corpus_ = nullptr;
  size_t rows_ = 0;
  int dim_ = 0;
  SkCudaCorpusType type_ = SK_CUDA_CORPUS_FLOAT32;
};

// Device-to-device copy bandwidth, (read + written) / time in GB/s.
Status MeasureCudaCopyBandwidth(const std::string& library_dir, int device, size_t bytes, double* gb_per_s);

}  // namespace sk::runtime
