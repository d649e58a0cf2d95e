// A search corpus kept on the GPU: uploaded once (float32, float16 or int8 rows), then searched
// by batches of queries. Per query chunk and corpus chunk: one cuBLASLt GEMM writes the scores,
// SelectTopKFromScores reduces every 8,192-column segment to its k best, and MergeTopK folds those
// and the running list of the chunks before into the new running list. Only the final k per
// query come back to the host. Results follow the CPU search: best first, ties to the lower id.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "core/status.h"
#include "cuda_engine/device_buffer.h"
#include "cuda_engine/score_gemm.h"

namespace sk::cuda {

class DeviceCorpus {
 public:
  ~DeviceCorpus();
  // rows × dim, every row zero until uploaded.
  static Status Create(int device, ScoreType type, size_t rows, int dim, std::unique_ptr<DeviceCorpus>* out);

  // Rows [first, first + count): float32 for kFloat32 and kFloat16 (narrowed on the device),
  // int8 for kInt8.
  Status Upload(size_t first, size_t count, const void* host_rows);

  // queries: [num_queries, dim], float32 (int8 for an int8 corpus). cosine: queries and rows are
  // normalized (float corpora only). ids and scores hold num_queries * min(top_k, rows) entries;
  // int8 scores are the exact int32 dot products.
  Status Search(const void* queries, int num_queries, int top_k, bool cosine, int32_t* ids, float* scores);

  size_t rows() const { return rows_; }
  int dim() const { return dim_; }
  size_t device_bytes() const;

 private:
  DeviceCorpus() = default;
  size_t ElementBytes() const;
  Status SearchChunk(const void* queries, int num_queries, int k, bool cosine, int32_t* ids, float* scores);

  std::mutex mutex_;  // one upload or search at a time: they share the stream and scratch
  int device_ = 0;
  ScoreType type_ = ScoreType::kFloat32;
  size_t rows_ = 0;
  int dim_ = 0, padded_dim_ = 0;
  cudaStream_t stream_ = nullptr;
  ScoreGemm gemm_;
  DeviceBuffer data_, inverse_norms_;
  DeviceBuffer staging_, query_rows_, scores_, partial_, running_;
};

// Device-to-device cudaMemcpy bandwidth, (bytes read + bytes written) / time in GB/s, over
// `bytes`-sized buffers: the yardstick search bandwidth is reported against.
Status MeasureCopyBandwidth(int device, size_t bytes, double* read_write_gb_per_s);

}  // namespace sk::cuda
