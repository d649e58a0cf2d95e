#include "cuda_engine/device_corpus.h"

#include <algorithm>
#include <string>
#include <vector>

#include <cuda_fp16.h>

#include "kernels/cuda/search_rows.cuh"
#include "kernels/cuda/topk.cuh"

namespace sk::cuda {
namespace {

constexpr int kQueryChunk = 256;                  // queries per pass over the corpus
constexpr size_t kScoreBudget = 64u << 20;        // score entries (4 bytes each) per GEMM
constexpr size_t kUploadRows = 16384;             // float rows staged per upload step

int PaddedDim(int dim) { return (dim + 15) / 16 * 16; }

Status Check(cudaError_t error, const char* what) { return CudaStatus(error, what); }

}  // namespace

DeviceCorpus::~DeviceCorpus() {
  if (stream_ != nullptr) {
    cudaSetDevice(device_);
    cudaStreamSynchronize(stream_);
    cudaStreamDestroy(stream_);
  }
}

size_t DeviceCorpus::ElementBytes() const {
  return type_ == ScoreType::kFloat32 ? 4 : type_ == ScoreType::kFloat16 ? 2 : 1;
}

size_t DeviceCorpus::device_bytes() const { return rows_ * padded_dim_ * ElementBytes(); }

Status DeviceCorpus::Create(int device, ScoreType type, size_t rows, int dim, std::unique_ptr<DeviceCorpus>* out) {
  if (dim <= 0 || dim > 65536) return InvalidArgument("corpus dimension must be in [1, 65536], got " + std::to_string(dim));
  // Ids are int32 on the device, and INT32_MAX marks an empty slot.
  if (rows >= static_cast<size_t>(INT32_MAX)) return InvalidArgument("a device corpus holds fewer than 2^31 - 1 rows");
  std::string lt_error;
  const CublasLtLibrary* lib = CublasLtLibrary::Get(&lt_error);
  if (lib == nullptr) return Status(StatusCode::kCudaUnavailable, lt_error);
  std::unique_ptr<DeviceCorpus> corpus(new DeviceCorpus());
  corpus->device_ = device;
  corpus->type_ = type;
  corpus->rows_ = rows;
  corpus->dim_ = dim;
  corpus->padded_dim_ = PaddedDim(dim);
  SK_RETURN_IF_ERROR(Check(cudaSetDevice(device), "selecting the CUDA device"));
  SK_RETURN_IF_ERROR(Check(cudaStreamCreateWithFlags(&corpus->stream_, cudaStreamNonBlocking), "creating a stream"));
  SK_RETURN_IF_ERROR(corpus->gemm_.Init(lib, type, corpus->padded_dim_));
  const size_t bytes = std::max<size_t>(corpus->device_bytes(), 16);
  SK_RETURN_IF_ERROR(corpus->data_.Reserve(bytes, "the search corpus"));
  SK_RETURN_IF_ERROR(Check(cudaMemsetAsync(corpus->data_.as<void>(), 0, bytes, corpus->stream_), "clearing the corpus"));
  if (type != ScoreType::kInt8) {
    SK_RETURN_IF_ERROR(corpus->inverse_norms_.Reserve(std::max<size_t>(rows, 1) * sizeof(float), "corpus norms"));
    // A row never uploaded is all zeros and scores 0 whatever its scale.
    SK_RETURN_IF_ERROR(Check(cudaMemsetAsync(corpus->inverse_norms_.as<void>(), 0, std::max<size_t>(rows, 1) * 4,
                                             corpus->stream_), "clearing corpus norms"));
  }
  SK_RETURN_IF_ERROR(Check(cudaStreamSynchronize(corpus->stream_), "preparing the corpus"));
  *out = std::move(corpus);
  return Status::Ok();
}

Status DeviceCorpus::Upload(size_t first, size_t count, const void* host_rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (first > rows_ || count > rows_ - first) {
    return InvalidArgument("upload of rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                           ") is outside a corpus of " + std::to_string(rows_) + " rows");
  }
  if (count == 0) return Status::Ok();
  if (host_rows == nullptr) return InvalidArgument("no rows to upload");
  SK_RETURN_IF_ERROR(Check(cudaSetDevice(device_), "selecting the CUDA device"));
  const size_t padded_bytes = static_cast<size_t>(padded_dim_) * ElementBytes();
  if (type_ == ScoreType::kInt8) {
    // Padding columns stay zero from Create.
    SK_RETURN_IF_ERROR(Check(cudaMemcpy2DAsync(data_.as<int8_t>() + first * padded_dim_, padded_bytes, host_rows,
                                               static_cast<size_t>(dim_), static_cast<size_t>(dim_), count,
                                               cudaMemcpyHostToDevice, stream_), "uploading int8 rows"));
    return Check(cudaStreamSynchronize(stream_), "uploading int8 rows");
  }
  const size_t step = std::min(count, kUploadRows);
  SK_RETURN_IF_ERROR(staging_.Reserve(step * dim_ * sizeof(float), "the upload staging buffer"));
  const float* source = static_cast<const float*>(host_rows);
  for (size_t done = 0; done < count; done += step) {
    const size_t n = std::min(step, count - done);
    SK_RETURN_IF_ERROR(Check(cudaMemcpyAsync(staging_.as<float>(), source + done * dim_, n * dim_ * sizeof(float),
                                             cudaMemcpyHostToDevice, stream_), "uploading corpus rows"));
    float* norms = inverse_norms_.as<float>() + first + done;
    const size_t row = first + done;
    const cudaError_t stored =
        type_ == ScoreType::kFloat32
            ? StorePaddedRows<float>(staging_.as<float>(), n, dim_, padded_dim_, data_.as<float>() + row * padded_dim_,
                                     norms, stream_)
            : StorePaddedRows<__half>(staging_.as<float>(), n, dim_, padded_dim_,
                                      data_.as<__half>() + row * padded_dim_, norms, stream_);
    SK_RETURN_IF_ERROR(Check(stored, "storing corpus rows"));
    // The staging buffer is reused by the next step: wait for this one.
    SK_RETURN_IF_ERROR(Check(cudaStreamSynchronize(stream_), "storing corpus rows"));
  }
  return Status::Ok();
}

Status DeviceCorpus::Search(const void* queries, int num_queries, int top_k, bool cosine, int32_t* ids, float* scores) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (num_queries < 0) return InvalidArgument("negative query count");
  if (top_k <= 0) return InvalidArgument("top_k must be positive");
  if (cosine && type_ == ScoreType::kInt8) return InvalidArgument("an int8 corpus is searched by dot product only");
  const size_t k = std::min(static_cast<size_t>(top_k), rows_);
  if (k > static_cast<size_t>(kMaxDeviceTopK)) {
    return InvalidArgument("device search keeps at most " + std::to_string(kMaxDeviceTopK) + " hits per query, asked for " +
                           std::to_string(k));
  }
  if (num_queries == 0 || k == 0) return Status::Ok();
  if (queries == nullptr || ids == nullptr || scores == nullptr) return InvalidArgument("missing search buffers");
  SK_RETURN_IF_ERROR(Check(cudaSetDevice(device_), "selecting the CUDA device"));
  const size_t query_bytes = type_ == ScoreType::kInt8 ? static_cast<size_t>(dim_) : dim_ * sizeof(float);
  for (int q = 0; q < num_queries; q += kQueryChunk) {
    const int n = std::min(kQueryChunk, num_queries - q);
    SK_RETURN_IF_ERROR(SearchChunk(static_cast<const char*>(queries) + q * query_bytes, n, static_cast<int>(k), cosine,
                                   ids + static_cast<size_t>(q) * k, scores + static_cast<size_t>(q) * k));
  }
  return Status::Ok();
}

Status DeviceCorpus::SearchChunk(const void* queries, int num_queries, int k, bool cosine, int32_t* ids,
                                 float* scores) {
  // Corpus rows per GEMM: the score matrix stays within kScoreBudget entries, in whole segments.
  size_t chunk_rows = kScoreBudget / static_cast<size_t>(num_queries) / kTopKSegment * kTopKSegment;
  chunk_rows = std::min(std::max<size_t>(chunk_rows, kTopKSegment), rows_);
  const int max_segments = TopKSegments(static_cast<int>(chunk_rows));
  // Each query's partial row: its running list (k), then k per segment of the current chunk.
  const size_t stride = static_cast<size_t>(k) * (1 + max_segments);
  const size_t element = ElementBytes();
  SK_RETURN_IF_ERROR(query_rows_.Reserve(static_cast<size_t>(num_queries) * padded_dim_ * element, "search queries"));
  // Score rows padded to 16 columns: aligned rows for every GEMM kernel, odd corpus sizes included.
  const size_t max_ld = (chunk_rows + 15) / 16 * 16;
  SK_RETURN_IF_ERROR(scores_.Reserve(static_cast<size_t>(num_queries) * max_ld * 4, "search scores"));
  SK_RETURN_IF_ERROR(partial_.Reserve(static_cast<size_t>(num_queries) * stride * sizeof(TopKEntry), "top-k lists"));
  SK_RETURN_IF_ERROR(running_.Reserve(static_cast<size_t>(num_queries) * k * sizeof(TopKEntry), "top-k results"));

  if (type_ == ScoreType::kInt8) {
    SK_RETURN_IF_ERROR(Check(cudaMemsetAsync(query_rows_.as<void>(), 0, static_cast<size_t>(num_queries) * padded_dim_,
                                             stream_), "clearing queries"));
    SK_RETURN_IF_ERROR(Check(cudaMemcpy2DAsync(query_rows_.as<void>(), static_cast<size_t>(padded_dim_), queries,
                                               static_cast<size_t>(dim_), static_cast<size_t>(dim_),
                                               static_cast<size_t>(num_queries), cudaMemcpyHostToDevice, stream_),
                             "uploading int8 queries"));
  } else {
    SK_RETURN_IF_ERROR(staging_.Reserve(static_cast<size_t>(num_queries) * dim_ * sizeof(float), "query staging"));
    SK_RETURN_IF_ERROR(Check(cudaMemcpyAsync(staging_.as<float>(), queries,
                                             static_cast<size_t>(num_queries) * dim_ * sizeof(float),
                                             cudaMemcpyHostToDevice, stream_), "uploading queries"));
    if (cosine) {
      SK_RETURN_IF_ERROR(Check(NormalizeRowsInPlace(staging_.as<float>(), num_queries, dim_, stream_),
                               "normalizing queries"));
    }
    const cudaError_t stored =
        type_ == ScoreType::kFloat32
            ? StorePaddedRows<float>(staging_.as<float>(), num_queries, dim_, padded_dim_, query_rows_.as<float>(),
                                     nullptr, stream_)
            : StorePaddedRows<__half>(staging_.as<float>(), num_queries, dim_, padded_dim_, query_rows_.as<__half>(),
                                      nullptr, stream_);
    SK_RETURN_IF_ERROR(Check(stored, "storing queries"));
  }

  TopKEntry* partial = partial_.as<TopKEntry>();
  TopKEntry* running = running_.as<TopKEntry>();
  SK_RETURN_IF_ERROR(Check(FillNoHits(running, static_cast<size_t>(num_queries) * k, stream_), "clearing results"));
  for (size_t begin = 0; begin < rows_; begin += chunk_rows) {
    const int columns = static_cast<int>(std::min(chunk_rows, rows_ - begin));
    const int segments = TopKSegments(columns);
    const char* rows = data_.as<char>() + begin * padded_dim_ * element;
    const size_t ld = (static_cast<size_t>(columns) + 15) / 16 * 16;
    SK_RETURN_IF_ERROR(gemm_.Run(query_rows_.as<void>(), num_queries, rows, columns, scores_.as<void>(), ld, stream_));
    // The running list goes to the head of each query's partial row, the segments after it.
    SK_RETURN_IF_ERROR(Check(cudaMemcpy2DAsync(partial, stride * sizeof(TopKEntry), running, k * sizeof(TopKEntry),
                                               k * sizeof(TopKEntry), static_cast<size_t>(num_queries),
                                               cudaMemcpyDeviceToDevice, stream_), "staging top-k lists"));
    const float* scale = cosine ? inverse_norms_.as<float>() + begin : nullptr;
    const cudaError_t selected =
        type_ == ScoreType::kInt8
            ? SelectTopKFromScores<int32_t>(scores_.as<int32_t>(), num_queries, columns, ld,
                                            nullptr, static_cast<int32_t>(begin), k, partial + k, stride, stream_)
            : SelectTopKFromScores<float>(scores_.as<float>(), num_queries, columns, ld,
                                          scale, static_cast<int32_t>(begin), k, partial + k, stride, stream_);
    SK_RETURN_IF_ERROR(Check(selected, "selecting top-k"));
    SK_RETURN_IF_ERROR(Check(MergeTopK(partial, num_queries, k * (1 + segments), stride, k, running, stream_),
                             "merging top-k"));
  }
  std::vector<TopKEntry> host(static_cast<size_t>(num_queries) * k);
  SK_RETURN_IF_ERROR(Check(cudaMemcpyAsync(host.data(), running, host.size() * sizeof(TopKEntry),
                                           cudaMemcpyDeviceToHost, stream_), "reading results"));
  SK_RETURN_IF_ERROR(Check(cudaStreamSynchronize(stream_), "device search"));
  for (size_t i = 0; i < host.size(); ++i) {
    // Every slot is a real hit (k <= rows); a NoHit here would be a kernel bug: say so.
    if (host[i].id < 0 || static_cast<size_t>(host[i].id) >= rows_) {
      return RuntimeError("device top-k returned id " + std::to_string(host[i].id) + " in slot " + std::to_string(i));
    }
    ids[i] = host[i].id;
    scores[i] = host[i].score;
  }
  return Status::Ok();
}

Status MeasureCopyBandwidth(int device, size_t bytes, double* read_write_gb_per_s) {
  SK_RETURN_IF_ERROR(Check(cudaSetDevice(device), "selecting the CUDA device"));
  DeviceBuffer a, b;
  SK_RETURN_IF_ERROR(a.Reserve(bytes, "the bandwidth source"));
  SK_RETURN_IF_ERROR(b.Reserve(bytes, "the bandwidth target"));
  cudaEvent_t start = nullptr, stop = nullptr;
  SK_RETURN_IF_ERROR(Check(cudaEventCreate(&start), "event"));
  SK_RETURN_IF_ERROR(Check(cudaEventCreate(&stop), "event"));
  constexpr int kRepeats = 20;
  cudaError_t error = cudaMemcpy(b.as<void>(), a.as<void>(), bytes, cudaMemcpyDeviceToDevice);  // warm-up
  if (error == cudaSuccess) error = cudaEventRecord(start);
  for (int i = 0; i < kRepeats && error == cudaSuccess; ++i) {
    error = cudaMemcpyAsync(b.as<void>(), a.as<void>(), bytes, cudaMemcpyDeviceToDevice);
  }
  if (error == cudaSuccess) error = cudaEventRecord(stop);
  if (error == cudaSuccess) error = cudaEventSynchronize(stop);
  float ms = 0;
  if (error == cudaSuccess) error = cudaEventElapsedTime(&ms, start, stop);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  SK_RETURN_IF_ERROR(Check(error, "measuring copy bandwidth"));
  *read_write_gb_per_s = 2.0 * bytes * kRepeats / (ms * 1e-3) / 1e9;
  return Status::Ok();
}

}  // namespace sk::cuda
