#include "kernels/cuda/classifier_head.cuh"

#include "kernels/cuda/common.cuh"

namespace sk::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

// One block per sequence; each warp takes whole weight rows, so a row is read coalesced and
// reduced with shuffles. Shared memory holds the first token and the dense layer's output.
template <typename T>
__global__ void __launch_bounds__(kThreads) HeadKernel(const T* hidden, const int32_t* cu_seqlens, int hidden_size,
                                                       const float* dense_w, const float* dense_b,
                                                       const float* out_w, const float* out_b, int labels,
                                                       float* logits) {
  extern __shared__ float shared[];
  float* x = shared;                 // [hidden_size]
  float* pooled = shared + hidden_size;  // [hidden_size]
  const int seq = blockIdx.x;
  const T* first = hidden + static_cast<size_t>(cu_seqlens[seq]) * hidden_size;
  for (int i = threadIdx.x; i < hidden_size; i += blockDim.x) x[i] = ToFloat(first[i]);
  __syncthreads();
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int row = warp; row < hidden_size; row += kWarps) {
    const float* w = dense_w + static_cast<size_t>(row) * hidden_size;
    float sum = 0.0f;
    for (int i = lane; i < hidden_size; i += 32) sum += w[i] * x[i];
    sum = WarpSum(sum);
    if (lane == 0) pooled[row] = tanhf(sum + dense_b[row]);
  }
  __syncthreads();
  for (int label = warp; label < labels; label += kWarps) {
    const float* w = out_w + static_cast<size_t>(label) * hidden_size;
    float sum = 0.0f;
    for (int i = lane; i < hidden_size; i += 32) sum += w[i] * pooled[i];
    sum = WarpSum(sum);
    if (lane == 0) logits[static_cast<size_t>(seq) * labels + label] = sum + out_b[label];
  }
}

}  // namespace

template <typename T>
cudaError_t ClassificationHead(const T* hidden, const int32_t* cu_seqlens, int num_seqs, int hidden_size,
                               const float* dense_w, const float* dense_b, const float* out_w, const float* out_b,
                               int labels, float* logits, cudaStream_t stream) {
  // Two rows of hidden_size floats must fit in the 48 KiB of shared memory a launch gets by default.
  if (num_seqs < 0 || hidden_size <= 0 || labels <= 0 || hidden_size > 6144) return cudaErrorInvalidValue;
  if (num_seqs == 0) return cudaSuccess;
  const size_t shared_bytes = 2 * static_cast<size_t>(hidden_size) * sizeof(float);
  HeadKernel<T><<<static_cast<unsigned>(num_seqs), kThreads, shared_bytes, stream>>>(
      hidden, cu_seqlens, hidden_size, dense_w, dense_b, out_w, out_b, labels, logits);
  return cudaGetLastError();
}

template cudaError_t ClassificationHead<float>(const float*, const int32_t*, int, int, const float*, const float*,
                                               const float*, const float*, int, float*, cudaStream_t);
template cudaError_t ClassificationHead<__half>(const __half*, const int32_t*, int, int, const float*, const float*,
                                                const float*, const float*, int, float*, cudaStream_t);
template cudaError_t ClassificationHead<__nv_bfloat16>(const __nv_bfloat16*, const int32_t*, int, int, const float*,
                                                       const float*, const float*, const float*, int, float*,
                                                       cudaStream_t);

}  // namespace sk::cuda
