// SentenceEncoder on device 'cuda': packed, unpadded batches go to the CUDA engine, which pools
// (and, for a Normalize module without Dense, normalizes) on the device; Dense modules, truncation
// and normalize_embeddings then run here exactly as on the CPU path.
#include <algorithm>

#include "kernels/kernels.h"
#include "pipeline/packed_batches.h"
#include "pipeline/sentence_encoder.h"

namespace sk::pipeline {
namespace {

SkCudaPooling CudaPooling(kernels::PoolingMode mode) {
  switch (mode) {
    case kernels::PoolingMode::kCls: return SK_CUDA_POOL_CLS;
    case kernels::PoolingMode::kMean: return SK_CUDA_POOL_MEAN;
    case kernels::PoolingMode::kMax: return SK_CUDA_POOL_MAX;
    case kernels::PoolingMode::kMeanSqrtLenTokens: return SK_CUDA_POOL_MEAN_SQRT_LEN;
    case kernels::PoolingMode::kWeightedMean: return SK_CUDA_POOL_WEIGHTED_MEAN;
    case kernels::PoolingMode::kLastToken: return SK_CUDA_POOL_LAST_TOKEN;
  }
  return SK_CUDA_POOL_MEAN;
}

constexpr size_t kDefaultCudaBatchTokens = 16384;

}  // namespace

Status SentenceEncoder::LoadCuda() {
  const ModelFiles& files = config_.files;
  if (files.max_length == 0) return InvalidArgument("max_length must be positive");
  SK_RETURN_IF_ERROR(model_.LoadTokenizer(files));
  SK_RETURN_IF_ERROR(LoadCudaEncoder(config_.cuda, &cuda_));
  hidden_size_ = static_cast<size_t>(cuda_->info().hidden_size);
  return Status::Ok();
}

Status SentenceEncoder::EncodeOnCuda(const std::vector<tok::Encoding>& encodings, const EncodeParams& params,
                                     float* out) const {
  const size_t modes = config_.pooling.modes.size();
  // A Normalize module right after pooling can run on the device; with Dense it must wait.
  const bool device_normalize = config_.normalize_module && config_.dense.empty() && modes == 1;
  const size_t max_tokens = params.max_batch_tokens > 0 ? params.max_batch_tokens : kDefaultCudaBatchTokens;
  std::vector<float> pooled, one_mode, dense_in, dense_out;
  return ForEachPacked(encodings, std::max<size_t>(params.batch_size, 1), max_tokens, [&](const PackedBatch& batch) -> Status {
    const size_t rows = batch.rows.size();
    pooled.resize(rows * pooled_dimension_);
    // Several modes concatenate (rare); each is one engine call.
    for (size_t m = 0; m < modes; ++m) {
      float* target = modes == 1 ? pooled.data() : (one_mode.resize(rows * hidden_size_), one_mode.data());
      SK_RETURN_IF_ERROR(cuda_->EncodePooled(batch.ids, batch.types, batch.cu, CudaPooling(config_.pooling.modes[m]),
                                             device_normalize, static_cast<int>(params.prompt_tokens), target));
      if (modes > 1) {
        for (size_t r = 0; r < rows; ++r) {
          std::copy_n(one_mode.data() + r * hidden_size_, hidden_size_, pooled.data() + r * pooled_dimension_ + m * hidden_size_);
        }
      }
    }
    FinishRows(pooled, batch.rows.data(), rows, params, dense_in, dense_out, out, device_normalize);
    return Status::Ok();
  });
}

Status SentenceEncoder::EncodeTokensOnCuda(const std::vector<tok::Encoding>& encodings, size_t batch_size,
                                           std::vector<float>* out) const {
  size_t total = 0;
  for (const tok::Encoding& encoding : encodings) total += encoding.ids.size();
  out->assign(total * hidden_size_, 0.0f);
  std::vector<size_t> offsets(encodings.size() + 1, 0);
  for (size_t i = 0; i < encodings.size(); ++i) offsets[i + 1] = offsets[i] + encodings[i].ids.size();
  std::vector<float> tokens;
  return ForEachPacked(encodings, std::max<size_t>(batch_size, 1), kDefaultCudaBatchTokens, [&](const PackedBatch& batch) -> Status {
    tokens.resize(batch.ids.size() * hidden_size_);
    SK_RETURN_IF_ERROR(cuda_->EncodeTokens(batch.ids, batch.types, batch.cu, tokens.data()));
    // Consecutive texts: the batch's tokens are one contiguous run of the output.
    std::copy(tokens.begin(), tokens.end(), out->begin() + offsets[batch.rows.front()] * hidden_size_);
    return Status::Ok();
  });
}

}  // namespace sk::pipeline
