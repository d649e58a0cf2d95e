// The backend of sentencekit's CUDA engine (device 'cuda'): consecutive encodings packed
// unpadded and cut by batch_size and a token budget, one engine call per batch. The engine pools
// on the device (and normalizes there for a Normalize module right after pooling), returns a
// classification head's raw logits, and fuses SPLADE's relu → log1p → max over tokens, so only
// [texts × width] rows come back. The engine serializes its own runs.
#include <algorithm>

#include "kernels/kernels.h"
#include "pipeline/encoder_backend.h"
#include "runtime/cuda_backend.h"

namespace sk::pipeline {
namespace {

// Tokens per engine call when the call sets none: the engine keeps [texts × width] results and
// a chunk of activations, never [tokens × vocabulary].
constexpr size_t kCudaBatchTokens = 16384;

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

class CudaBackend final : public EncoderBackend {
 public:
  Status Load(const CudaPlacement& placement, Head head) {
    runtime::CudaEncoderOptions options;
    options.library_dir = placement.library_dir;
    options.model_dir = placement.model_dir;
    options.dtype = placement.dtype;
    options.device = placement.device;
    SK_RETURN_IF_ERROR(runtime::CudaEncoder::Load(options, &engine_));
    const SkCudaModelInfo& info = engine_->info();
    hidden_ = static_cast<size_t>(info.hidden_size);
    width_ = hidden_;
    if (head == Head::kClassifier) {
      if (info.num_labels <= 0) {
        return ModelLoadError(placement.model_dir + "/model.safetensors has no sequence-classification head the CUDA engine "
                              "runs (BERT's pooler + classifier, or classifier.dense + classifier.out_proj)");
      }
      width_ = static_cast<size_t>(info.num_labels);
    }
    if (head == Head::kMaskedLm) {
      if (info.has_mlm_head == 0) {
        return ModelLoadError(placement.model_dir + "/model.safetensors has no masked-LM head the CUDA engine runs "
                              "(cls.predictions.* or lm_head.*)");
      }
      width_ = static_cast<size_t>(info.vocab_size);
    }
    return Status::Ok();
  }

  size_t width() const override { return width_; }
  size_t max_positions() const override { return static_cast<size_t>(engine_->info().max_position); }

  Status Pooled(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, const PoolRequest& request,
                const PooledSink& sink) const override {
    const size_t modes = request.spec.modes.size();
    const size_t pooled_dimension = kernels::PooledDim(request.spec, hidden_);
    const bool normalize = request.may_normalize && modes == 1;
    std::vector<float> pooled, one_mode;
    return ForEachBatch(encodings, limits, [&](const PackedBatch& batch, const BatchRows& rows) -> Status {
      pooled.resize(rows.count * pooled_dimension);
      // Several modes concatenate (rare); each is one engine call.
      for (size_t m = 0; m < modes; ++m) {
        float* target = modes == 1 ? pooled.data() : (one_mode.resize(rows.count * hidden_), one_mode.data());
        SK_RETURN_IF_ERROR(engine_->EncodePooled(batch.ids, batch.types, batch.cu, CudaPooling(request.spec.modes[m]),
                                                 normalize, static_cast<int>(request.prompt_tokens), target));
        if (modes > 1) {
          for (size_t r = 0; r < rows.count; ++r) {
            std::copy_n(one_mode.data() + r * hidden_, hidden_, pooled.data() + r * pooled_dimension + m * hidden_);
          }
        }
      }
      return sink(rows, pooled.data(), normalize);
    });
  }

  Status Tokens(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                const TokensSink& sink) const override {
    std::vector<float> tokens;
    std::vector<const float*> starts;
    return ForEachBatch(encodings, limits, [&](const PackedBatch& batch, const BatchRows& rows) -> Status {
      tokens.resize(batch.ids.size() * hidden_);
      SK_RETURN_IF_ERROR(engine_->EncodeTokens(batch.ids, batch.types, batch.cu, tokens.data()));
      starts.resize(rows.count);
      for (size_t r = 0; r < rows.count; ++r) starts[r] = tokens.data() + static_cast<size_t>(batch.cu[r]) * hidden_;
      return sink(rows, starts.data());
    });
  }

  Status Logits(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                const RowsSink& sink) const override {
    std::vector<float> logits;
    return ForEachBatch(encodings, limits, [&](const PackedBatch& batch, const BatchRows& rows) -> Status {
      logits.resize(rows.count * width_);
      SK_RETURN_IF_ERROR(engine_->EncodeLogits(batch.ids, batch.types, batch.cu, logits.data()));
      return sink(rows, logits.data());
    });
  }

  Status SpladeWeights(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                       SpladeActivation activation, const RowsSink& sink) const override {
    std::vector<float> weights;
    const bool twice = activation == SpladeActivation::kLog1pRelu;
    return ForEachBatch(encodings, limits, [&](const PackedBatch& batch, const BatchRows& rows) -> Status {
      weights.resize(rows.count * width_);
      SK_RETURN_IF_ERROR(engine_->EncodeSplade(batch.ids, batch.types, batch.cu, twice, weights.data()));
      return sink(rows, weights.data());
    });
  }

 private:
  template <typename Fn>
  Status ForEachBatch(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, Fn&& fn) const {
    BatchPlan plan;
    SK_RETURN_IF_ERROR(PlanBatches(encodings, BatchPolicy{false, kCudaBatchTokens, true}, limits, &plan));
    PackedBatch packed;
    for (size_t b = 0; b < plan.size(); ++b) {
      PackBatch(encodings, plan.rows(b), plan.count(b), &packed);
      SK_RETURN_IF_ERROR(fn(packed, BatchRows{plan.rows(b), plan.count(b), 0}));
    }
    return Status::Ok();
  }

  std::unique_ptr<runtime::CudaEncoder> engine_;
  size_t hidden_ = 0;
  size_t width_ = 0;
};

}  // namespace

Status LoadCudaBackend(const CudaPlacement& placement, Head head, std::unique_ptr<EncoderBackend>* out) {
  return LoadBackend<CudaBackend>(out, placement, head);
}

}  // namespace sk::pipeline
