#include "kernels/cuda/topk.cuh"

#include <climits>

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ TopKEntry NoHit() { return TopKEntry{-INFINITY, INT32_MAX}; }

// Best first: higher score, then lower id.
__device__ __forceinline__ bool Better(const TopKEntry& a, const TopKEntry& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

template <typename Score>
__device__ __forceinline__ float AsFloat(Score value) { return static_cast<float>(value); }

// A block's running top-k in shared memory: hits better than the current k-th are appended;
// when the buffer could overflow on the next round it is sorted and cut back to k. kCapacity
// must be at least k + kThreads so a round (one candidate per thread) always fits.
template <int kCapacity>
struct BlockSelect {
  TopKEntry* buffer;  // kCapacity entries, shared
  int* count;         // shared
  TopKEntry* kth;     // shared: the entry a candidate must beat (NoHit until k are kept)
  int k;

  __device__ void Init() {
    if (threadIdx.x == 0) {
      *count = 0;
      *kth = NoHit();
    }
    __syncthreads();
  }

  // Called by every thread once per round; `valid` false for threads past the end.
  __device__ void Offer(const TopKEntry& candidate, bool valid) {
    if (valid && Better(candidate, *kth)) {
      const int slot = atomicAdd(count, 1);
      buffer[slot] = candidate;
    }
    __syncthreads();
    const int now = *count;
    __syncthreads();  // every thread has read the count before the next round's appends
    if (now > kCapacity - kThreads) Compact();
  }

  // Sorts the buffer best first and keeps its k best (bitonic sort over the whole capacity,
  // unused slots padded with NoHit). Every thread must call it.
  __device__ void Compact() {
    const int used = *count;
    for (int i = used + threadIdx.x; i < kCapacity; i += blockDim.x) buffer[i] = NoHit();
    __syncthreads();
    for (int size = 2; size <= kCapacity; size <<= 1) {
      for (int stride = size >> 1; stride > 0; stride >>= 1) {
        for (int i = threadIdx.x; i < kCapacity; i += blockDim.x) {
          const int j = i ^ stride;
          if (j > i) {
            const bool best_first = (i & size) == 0;
            const TopKEntry a = buffer[i], b = buffer[j];
            if (best_first ? Better(b, a) : Better(a, b)) {
              buffer[i] = b;
              buffer[j] = a;
            }
          }
        }
        __syncthreads();
      }
    }
    if (threadIdx.x == 0) {
      *count = used < k ? used : k;
      if (used >= k) *kth = buffer[k - 1];
    }
    __syncthreads();
  }

  // Sorted, the first k entries (NoHit where fewer were found) to out[0, k).
  __device__ void Write(TopKEntry* out) {
    Compact();
    const int kept = *count;
    for (int i = threadIdx.x; i < k; i += blockDim.x) out[i] = i < kept ? buffer[i] : NoHit();
  }
};

template <typename Score, int kCapacity>
__global__ void __launch_bounds__(kThreads) SelectKernel(const Score* scores, int columns, size_t ld,
                                                         const float* column_scale, int32_t id_base, int k,
                                                         TopKEntry* out, size_t out_stride) {
  __shared__ TopKEntry buffer[kCapacity];
  __shared__ int count;
  __shared__ TopKEntry kth;
  BlockSelect<kCapacity> select{buffer, &count, &kth, k};
  select.Init();
  const int query = blockIdx.y;
  const int segment = blockIdx.x;
  const int begin = segment * kTopKSegment;
  const int end = min(begin + kTopKSegment, columns);
  const Score* row = scores + static_cast<size_t>(query) * ld;
  for (int base = begin; base < end; base += kThreads) {
    const int c = base + threadIdx.x;
    TopKEntry candidate = NoHit();
    const bool valid = c < end;
    if (valid) {
      float score = AsFloat(row[c]);
      if (column_scale != nullptr) score *= column_scale[c];
      candidate.score = isnan(score) ? -INFINITY : score;
      candidate.id = id_base + c;
    }
    select.Offer(candidate, valid);
  }
  select.Write(out + static_cast<size_t>(query) * out_stride + static_cast<size_t>(segment) * k);
}

template <int kCapacity>
__global__ void __launch_bounds__(kThreads) MergeKernel(const TopKEntry* in, int per_query, size_t in_stride, int k,
                                                        TopKEntry* out) {
  __shared__ TopKEntry buffer[kCapacity];
  __shared__ int count;
  __shared__ TopKEntry kth;
  BlockSelect<kCapacity> select{buffer, &count, &kth, k};
  select.Init();
  const TopKEntry* row = in + static_cast<size_t>(blockIdx.x) * in_stride;
  for (int base = 0; base < per_query; base += kThreads) {
    const int i = base + threadIdx.x;
    const bool valid = i < per_query && row[i].id != INT32_MAX;
    select.Offer(valid ? row[i] : NoHit(), valid);
  }
  select.Write(out + static_cast<size_t>(blockIdx.x) * k);
}

__global__ void FillKernel(TopKEntry* out, size_t count) {
  const size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) out[i] = NoHit();
}

bool BadK(int k) { return k <= 0 || k > kMaxDeviceTopK; }

}  // namespace

template <typename Score>
cudaError_t SelectTopKFromScores(const Score* scores, int num_queries, int columns, size_t ld,
                                 const float* column_scale, int32_t id_base, int k, TopKEntry* out,
                                 size_t out_stride, cudaStream_t stream) {
  if (BadK(k) || num_queries < 0 || columns < 0 || ld < static_cast<size_t>(columns) || num_queries > 65535 ||
      out_stride < static_cast<size_t>(TopKSegments(columns)) * k) {
    return cudaErrorInvalidValue;
  }
  if (num_queries == 0 || columns == 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>(TopKSegments(columns)), static_cast<unsigned>(num_queries));
  // The smallest buffer that holds k + one round: less shared memory, more blocks per SM.
  if (k <= 256) {
    SelectKernel<Score, 512><<<grid, kThreads, 0, stream>>>(scores, columns, ld, column_scale, id_base, k, out, out_stride);
  } else if (k <= 768) {
    SelectKernel<Score, 1024><<<grid, kThreads, 0, stream>>>(scores, columns, ld, column_scale, id_base, k, out, out_stride);
  } else {
    SelectKernel<Score, 2048><<<grid, kThreads, 0, stream>>>(scores, columns, ld, column_scale, id_base, k, out, out_stride);
  }
  return cudaGetLastError();
}

template cudaError_t SelectTopKFromScores<float>(const float*, int, int, size_t, const float*, int32_t, int,
                                                 TopKEntry*, size_t, cudaStream_t);
template cudaError_t SelectTopKFromScores<int32_t>(const int32_t*, int, int, size_t, const float*, int32_t, int,
                                                   TopKEntry*, size_t, cudaStream_t);

cudaError_t MergeTopK(const TopKEntry* in, int num_queries, int per_query, size_t in_stride, int k, TopKEntry* out,
                      cudaStream_t stream) {
  if (BadK(k) || num_queries < 0 || per_query < 0 || in_stride < static_cast<size_t>(per_query)) {
    return cudaErrorInvalidValue;
  }
  if (num_queries == 0) return cudaSuccess;
  const unsigned grid = static_cast<unsigned>(num_queries);
  if (k <= 256) {
    MergeKernel<512><<<grid, kThreads, 0, stream>>>(in, per_query, in_stride, k, out);
  } else if (k <= 768) {
    MergeKernel<1024><<<grid, kThreads, 0, stream>>>(in, per_query, in_stride, k, out);
  } else {
    MergeKernel<2048><<<grid, kThreads, 0, stream>>>(in, per_query, in_stride, k, out);
  }
  return cudaGetLastError();
}

cudaError_t FillNoHits(TopKEntry* out, size_t count, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  FillKernel<<<CeilDiv(count, kThreads), kThreads, 0, stream>>>(out, count);
  return cudaGetLastError();
}

}  // namespace sk::cuda
