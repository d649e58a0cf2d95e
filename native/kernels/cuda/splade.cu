#include "kernels/cuda/splade.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kRowsPerBlock = 32;

// Thread v of block (x, y) walks rows [y * 32, + 32) of vocabulary entry v: reads are coalesced
// across the warp, and a sequence's run of tokens costs one atomic per entry, not one per token.
template <typename T>
__global__ void FoldKernel(const T* logits, int first_token, int rows, const int32_t* token_seq, int vocab,
                           const float* bias, float* maxes) {
  const int v = blockIdx.x * blockDim.x + threadIdx.x;
  if (v >= vocab) return;
  const int begin = blockIdx.y * kRowsPerBlock;
  const int end = min(begin + kRowsPerBlock, rows);
  const float b = bias[v];
  int seq = -1;
  float best = 0.0f;
  for (int r = begin; r < end; ++r) {
    const int s = token_seq[first_token + r];
    if (s != seq) {
      if (seq >= 0 && best > 0.0f) atomicMax(reinterpret_cast<int*>(maxes + static_cast<size_t>(seq) * vocab + v), __float_as_int(best));
      seq = s;
      best = 0.0f;
    }
    const float value = ToFloat(logits[static_cast<size_t>(r) * vocab + v]) + b;
    best = fmaxf(best, value);  // relu: 0 is the floor; NaN is dropped by fmaxf
  }
  if (seq >= 0 && best > 0.0f) atomicMax(reinterpret_cast<int*>(maxes + static_cast<size_t>(seq) * vocab + v), __float_as_int(best));
}

__global__ void FinishKernel(float* maxes, size_t count, bool twice) {
  const size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  float value = log1pf(maxes[i]);
  if (twice) value = log1pf(value);
  maxes[i] = value;
}

}  // namespace

template <typename T>
cudaError_t SpladeFoldChunk(const T* logits, int first_token, int rows, const int32_t* token_seq, int vocab,
                            const float* bias, float* maxes, cudaStream_t stream) {
  if (rows < 0 || vocab <= 0 || first_token < 0) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  const dim3 grid(CeilDiv(vocab, kThreads), CeilDiv(rows, kRowsPerBlock));
  if (grid.y > 65535) return cudaErrorInvalidValue;
  FoldKernel<T><<<grid, kThreads, 0, stream>>>(logits, first_token, rows, token_seq, vocab, bias, maxes);
  return cudaGetLastError();
}

template cudaError_t SpladeFoldChunk<float>(const float*, int, int, const int32_t*, int, const float*, float*, cudaStream_t);
template cudaError_t SpladeFoldChunk<__half>(const __half*, int, int, const int32_t*, int, const float*, float*, cudaStream_t);
template cudaError_t SpladeFoldChunk<__nv_bfloat16>(const __nv_bfloat16*, int, int, const int32_t*, int, const float*,
                                                    float*, cudaStream_t);

cudaError_t SpladeFinish(float* maxes, size_t count, bool log1p_twice, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  FinishKernel<<<CeilDiv(count, kThreads), kThreads, 0, stream>>>(maxes, count, log1p_twice);
  return cudaGetLastError();
}

}  // namespace sk::cuda
