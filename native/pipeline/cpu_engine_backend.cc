// The backend of sentencekit's own CPU engine (cpuEngine 'int8' or 'bf16x3'): encodings packed
// unpadded into batches cut by a token budget only (packing pads nothing, so many short texts in
// one batch cost no more than their tokens), run one batch per engine lane at a time, or a lone
// batch split over all lanes. The engine's lanes and buffers are shared by every call, so a call
// holds the run lock throughout; each lane hands its batch back while the others run.
#include <algorithm>
#include <mutex>

#include "kernels/kernels.h"
#include "pipeline/classification_head.h"
#include "pipeline/encoder_backend.h"

namespace sk::pipeline {
namespace {

class CpuEngineBackend final : public EncoderBackend {
 public:
  Status Load(const CpuEnginePlacement& placement, Head head) {
    const bool masked_lm = head == Head::kMaskedLm;
    if (head == Head::kClassifier && !placement.weights_table.empty()) {
      return ModelLoadError(placement.weights_path + ": a cross-encoder's classification head is read from model.safetensors only; save the model with safe_serialization");
    }
    SK_RETURN_IF_ERROR(cpu::LoadEngineEncoder(
        placement.model_dir,
        {placement.threads, placement.allow_spinning, masked_lm, placement.precision, placement.weights_path, placement.weights_table},
        &engine_));
    if (masked_lm && !engine_->has_masked_lm_head()) {
      return ModelLoadError(placement.model_dir + "/model.safetensors has no masked-LM head (cls.predictions or lm_head) for SPLADE");
    }
    hidden_ = static_cast<size_t>(engine_->config().hidden_size);
    width_ = hidden_;
    if (head == Head::kMaskedLm) width_ = static_cast<size_t>(engine_->config().vocab_size);
    if (head == Head::kClassifier) {
      // The head runs in fp32 from the same model.safetensors.
      SK_RETURN_IF_ERROR(ClassificationHead::Load(placement.model_dir, engine_->config(), &head_));
      width_ = head_.num_labels();
    }
    return Status::Ok();
  }

  size_t width() const override { return width_; }
  size_t max_positions() const override { return static_cast<size_t>(engine_->config().max_sequence()); }
  size_t lanes() const override { return engine_->lanes(); }

  Status Pooled(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, const PoolRequest& request,
                const PooledSink& sink) const override {
    const size_t pooled_dimension = kernels::PooledDim(request.spec, hidden_);
    struct Scratch {
      std::vector<float> pooled;
      std::vector<int64_t> mask, prompt_length;
    };
    std::vector<Scratch> scratch(lanes());
    return ForEachHidden(encodings, limits, [&](const float* hidden, const PackedBatch& batch, const BatchRows& rows) -> Status {
      Scratch& own = scratch[rows.lane];
      own.pooled.resize(rows.count * pooled_dimension);
      PoolingSpec spec = request.spec;
      if (request.prompt_tokens > 0) {
        own.prompt_length.assign(1, static_cast<int64_t>(request.prompt_tokens));
        spec.prompt_lengths = own.prompt_length.data();
      }
      // Each sequence is pooled alone over its own tokens, all of them real.
      for (size_t r = 0; r < rows.count; ++r) {
        const size_t length = static_cast<size_t>(batch.cu[r + 1] - batch.cu[r]);
        if (own.mask.size() < length) own.mask.assign(length, 1);
        SK_RETURN_IF_ERROR(kernels::Pool(spec, hidden + static_cast<size_t>(batch.cu[r]) * hidden_, own.mask.data(), 1,
                                         length, hidden_, own.pooled.data() + r * pooled_dimension));
      }
      return sink(rows, own.pooled.data(), false);
    });
  }

  Status Tokens(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                const TokensSink& sink) const override {
    std::vector<std::vector<const float*>> starts(lanes());
    return ForEachHidden(encodings, limits, [&](const float* hidden, const PackedBatch& batch, const BatchRows& rows) -> Status {
      std::vector<const float*>& own = starts[rows.lane];
      own.resize(rows.count);
      for (size_t r = 0; r < rows.count; ++r) own[r] = hidden + static_cast<size_t>(batch.cu[r]) * hidden_;
      return sink(rows, own.data());
    });
  }

  // Each sequence's first token (or the mean of its tokens, for a ModernBERT head with
  // classifier_pooling "mean") through the classification head, in fp32.
  Status Logits(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                const RowsSink& sink) const override {
    struct Scratch {
      std::vector<float> first, head, logits;
    };
    std::vector<Scratch> scratch(lanes());
    return ForEachHidden(encodings, limits, [&](const float* hidden, const PackedBatch& batch, const BatchRows& rows) -> Status {
      Scratch& own = scratch[rows.lane];
      own.first.resize(rows.count * hidden_);
      for (size_t r = 0; r < rows.count; ++r) {
        head_.Pool(hidden + static_cast<size_t>(batch.cu[r]) * hidden_, static_cast<size_t>(batch.cu[r + 1] - batch.cu[r]),
                   own.first.data() + r * hidden_);
      }
      own.logits.resize(rows.count * width_);
      head_.Apply(own.first.data(), rows.count, own.logits.data(), own.head);
      return sink(rows, own.logits.data());
    });
  }

  // The masked-LM decoder tiles fold straight into per-text maxima: the [tokens, vocabulary]
  // logits are never kept. batch_size caps the texts per batch, since each holds a
  // vocabulary-wide row of maxima per lane.
  Status SpladeWeights(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                       SpladeActivation activation, const RowsSink& sink) const override {
    std::vector<std::vector<float>> maxima(lanes());
    return ForEachBatch(encodings, limits, true, [&](const PackedBatch& batch, const BatchRows& rows, bool split) -> Status {
      std::vector<float>& own = maxima[rows.lane];
      own.resize(rows.count * width_);
      SK_RETURN_IF_ERROR(engine_->MaskedLmMaxima(Sequences(batch, rows), rows.lane, split, own.data()));
      for (size_t r = 0; r < rows.count; ++r) SpladeActivate(activation, own.data() + r * width_, width_);
      return sink(rows, own.data());
    });
  }

 private:
  static cpu::PackedSequences Sequences(const PackedBatch& batch, const BatchRows& rows) {
    return cpu::PackedSequences{batch.ids.data(), batch.types.data(), batch.cu.data(), rows.count};
  }

  // Runs fn(packed batch, rows, split) for every planned batch: alone on lane 0 with the batch
  // split over the lanes when there is one, else the batches spread over the lanes. The first
  // error wins.
  template <typename Fn>
  Status ForEachBatch(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, bool rows_capped,
                      Fn&& fn) const {
    BatchPlan plan;
    SK_RETURN_IF_ERROR(PlanBatches(encodings, BatchPolicy{false, kCpuBatchTokens, rows_capped}, limits, &plan));
    std::lock_guard<std::mutex> lock(run_mutex_);
    std::vector<PackedBatch> packed(lanes());
    auto run = [&](size_t index, size_t lane, bool split) -> Status {
      PackBatch(encodings, plan.rows(index), plan.count(index), &packed[lane]);
      return fn(packed[lane], BatchRows{plan.rows(index), plan.count(index), lane}, split);
    };
    if (plan.size() == 1) return run(0, 0, true);
    std::vector<Status> statuses(plan.size());
    engine_->pool().ParallelFor(plan.size(), [&](size_t index, size_t lane) { statuses[index] = run(index, lane, false); });
    for (Status& status : statuses) SK_RETURN_IF_ERROR(status);
    return Status::Ok();
  }

  // fn(hidden states [batch tokens, hidden], packed batch, rows) for every batch's encoder output.
  template <typename Fn>
  Status ForEachHidden(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, Fn&& fn) const {
    return ForEachBatch(encodings, limits, false, [&](const PackedBatch& batch, const BatchRows& rows, bool split) -> Status {
      const float* hidden = nullptr;
      SK_RETURN_IF_ERROR(engine_->Forward(Sequences(batch, rows), rows.lane, split, &hidden));
      return fn(hidden, batch, rows);
    });
  }

  std::unique_ptr<cpu::EngineEncoder> engine_;
  ClassificationHead head_;  // Head::kClassifier
  size_t hidden_ = 0;
  size_t width_ = 0;
  mutable std::mutex run_mutex_;
};

}  // namespace

Status LoadCpuEngineBackend(const CpuEnginePlacement& placement, Head head, std::unique_ptr<EncoderBackend>* out) {
  return LoadBackend<CpuEngineBackend>(out, placement, head);
}

}  // namespace sk::pipeline
