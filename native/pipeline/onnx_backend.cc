// The ONNX Runtime backend: a call's encodings sorted longest first and cut into padded batches
// (transformers' [batch, seq] int64 tensors, padded on the tokenizer's side), each filled, run and
// handed back under the model's run lock. The inputs and the output live in buffers reused by
// every run (see ort::IoCache), so the steady state allocates none; intra-op threads already use
// the cores, so holding the lock while the sink pools costs nothing.
#include <algorithm>
#include <cstring>
#include <mutex>

#include "kernels/kernels.h"
#include "pipeline/encoder_backend.h"
#include "runtime/io_cache.h"
#include "runtime/ort_session.h"

namespace sk::pipeline {
namespace {

struct PaddedBatch {
  size_t batch = 0;
  size_t seq = 0;
  // Where each row's tokens sit: the tokenizer's padding side (transformers' padding_side).
  bool pad_left = false;
  std::vector<int64_t> ids, mask, type_ids;
  // 0..n-1 over each row's real tokens, 1 on padding (transformers' convention for decoders),
  // so a left-padded row is numbered as it would be alone. Filled only when the model takes it.
  std::vector<int64_t> position_ids;

  // Pads encodings[rows[0..count)] with `pad_id` to the longest member (at least one column, so
  // an empty row still has a shape). The buffers are kept between fills and grow geometrically
  // (counted in `counters` if given), so a model's long-lived batch stops reallocating once it
  // has seen its largest batch.
  void Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count, int64_t pad_id,
            ort::IoCounters* counters, bool positions) {
    batch = count;
    seq = 1;
    for (size_t r = 0; r < count; ++r) seq = std::max(seq, encodings[rows[r]].ids.size());
    // assign() never reallocates within capacity; one count per batch that grew (the buffers
    // always grow together).
    ort::IoCounters grown;
    ort::GrowGeometric(&ids, batch * seq, &grown);
    ort::GrowGeometric(&mask, batch * seq, &grown);
    ort::GrowGeometric(&type_ids, batch * seq, &grown);
    if (positions) ort::GrowGeometric(&position_ids, batch * seq, &grown);
    if (counters != nullptr && grown.buffer_growths > 0) counters->buffer_growths += 1;
    ids.assign(batch * seq, pad_id);
    mask.assign(batch * seq, 0);
    type_ids.assign(batch * seq, 0);
    if (positions) position_ids.assign(batch * seq, 1);
    for (size_t r = 0; r < count; ++r) {
      const tok::Encoding& encoding = encodings[rows[r]];
      const size_t length = encoding.ids.size();
      const size_t at = r * seq + RowStart(length);
      std::memcpy(ids.data() + at, encoding.ids.data(), length * sizeof(int64_t));
      std::memcpy(mask.data() + at, encoding.attention_mask.data(), length * sizeof(int64_t));
      std::memcpy(type_ids.data() + at, encoding.type_ids.data(), length * sizeof(int64_t));
      if (positions) {
        for (size_t t = 0; t < length; ++t) position_ids[at + t] = static_cast<int64_t>(t);
      }
    }
  }

  // Where the first real token of a row holding `length` of them sits.
  size_t RowStart(size_t length) const { return pad_left ? seq - length : 0; }

  ort::BatchInputs Inputs() const {
    ort::BatchInputs inputs;
    inputs.ids = ids.data();
    inputs.mask = mask.data();
    inputs.type_ids = type_ids.data();
    inputs.position_ids = position_ids.empty() ? nullptr : position_ids.data();
    return inputs;
  }
};

class OnnxBackend final : public EncoderBackend {
 public:
  Status Load(const ModelFiles& files, const ModelTokenizer& tokenizer) {
    tokenizer_ = &tokenizer;
    batch_.pad_left = tokenizer.pads_left;
    SK_RETURN_IF_ERROR(ort::OrtSession::Load(files.model_path, files.session, &session_));
    // The output's last dimension from the model's metadata, else from a probe run (exports
    // may leave it symbolic).
    int64_t dimension = session_->output_last_dim();
    if (dimension <= 0) SK_RETURN_IF_ERROR(ProbeLastDimension(files.max_length, &dimension));
    if (dimension <= 0) return ModelLoadError(session_->model_path() + ": output has no positive last dimension");
    width_ = static_cast<size_t>(dimension);
    return Status::Ok();
  }

  size_t width() const override { return width_; }
  size_t max_positions() const override { return 0; }  // ONNX Runtime fails such inputs itself
  ort::IoCounters IoCounters() const override {
    std::lock_guard<std::mutex> lock(run_mutex_);
    return io_.counters;
  }

  Status Pooled(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, const PoolRequest& request,
                const PooledSink& sink) const override {
    const size_t pooled_dimension = kernels::PooledDim(request.spec, width_);
    std::vector<float> pooled;
    std::vector<int64_t> prompt_lengths;
    return ForEachBatch(encodings, limits, [&](const ort::TensorOutput& output, const BatchRows& rows) -> Status {
      const size_t seq = batch_.seq;
      const auto& shape = output.shape();
      if (shape.size() != 3 || shape[0] != static_cast<int64_t>(rows.count) || shape[1] != static_cast<int64_t>(seq) ||
          shape[2] != static_cast<int64_t>(width_)) {
        return RuntimeError(session_->model_path() + ": output '" + session_->output_name() +
                            "' does not have shape [batch, sequence, " + std::to_string(width_) + "]");
      }
      // include_prompt: false — the prompt's tokens attend as usual but are not pooled.
      PoolingSpec spec = request.spec;
      if (request.prompt_tokens > 0) {
        prompt_lengths.assign(rows.count, static_cast<int64_t>(request.prompt_tokens));
        spec.prompt_lengths = prompt_lengths.data();
      }
      pooled.resize(rows.count * pooled_dimension);
      SK_RETURN_IF_ERROR(
          kernels::Pool(spec, output.data(), batch_.mask.data(), rows.count, seq, width_, pooled.data()));
      return sink(rows, pooled.data(), false);
    });
  }

  Status Tokens(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                const TokensSink& sink) const override {
    std::vector<const float*> starts;
    return ForEachBatch(encodings, limits, [&](const ort::TensorOutput& output, const BatchRows& rows) -> Status {
      const size_t seq = batch_.seq;
      const auto& shape = output.shape();
      if (shape.size() != 3 || shape[1] != static_cast<int64_t>(seq) || shape[2] != static_cast<int64_t>(width_)) {
        return RuntimeError(session_->model_path() + ": output is not [batch, sequence, hidden] token embeddings");
      }
      // The real tokens only: a left-padded row starts after its padding.
      starts.resize(rows.count);
      for (size_t r = 0; r < rows.count; ++r) {
        const size_t tokens = encodings[rows.rows[r]].ids.size();
        starts[r] = output.data() + (r * seq + batch_.RowStart(tokens)) * width_;
      }
      return sink(rows, starts.data());
    });
  }

  Status Logits(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                const RowsSink& sink) const override {
    return ForEachBatch(encodings, limits, [&](const ort::TensorOutput& output, const BatchRows& rows) -> Status {
      const auto& shape = output.shape();
      if (shape.size() != 2 || shape[0] != static_cast<int64_t>(rows.count) || shape[1] != static_cast<int64_t>(width_)) {
        return RuntimeError(session_->model_path() + ": output '" + session_->output_name() + "' is not [batch, " +
                            std::to_string(width_) + "] logits");
      }
      return sink(rows, output.data());
    });
  }

  // Max-first: the maximum over tokens is taken on the raw masked-LM logits and the activation
  // applied once per vocabulary entry, so no second [batch, seq, vocab] buffer is made.
  Status SpladeWeights(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                       SpladeActivation activation, const RowsSink& sink) const override {
    std::vector<float> pooled;
    return ForEachBatch(encodings, limits, [&](const ort::TensorOutput& output, const BatchRows& rows) -> Status {
      const auto& shape = output.shape();
      if (shape.size() != 3 || shape[0] != static_cast<int64_t>(rows.count) ||
          shape[1] != static_cast<int64_t>(batch_.seq) || shape[2] != static_cast<int64_t>(width_)) {
        return RuntimeError(session_->model_path() + ": output '" + session_->output_name() +
                            "' is not [batch, sequence, " + std::to_string(width_) + "] masked-LM logits");
      }
      pooled.resize(rows.count * width_);
      kernels::MaxPool(output.data(), batch_.mask.data(), rows.count, batch_.seq, width_, pooled.data());
      for (size_t r = 0; r < rows.count; ++r) SpladeActivate(activation, pooled.data() + r * width_, width_);
      return sink(rows, pooled.data());
    });
  }

 private:
  // Fills, runs and consumes each batch under the run lock; `consume` reads batch_ and the
  // output and must not keep pointers into them.
  template <typename Consume>
  Status ForEachBatch(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits, Consume&& consume) const {
    BatchPlan plan;
    SK_RETURN_IF_ERROR(PlanBatches(encodings, BatchPolicy{}, limits, &plan));
    for (size_t b = 0; b < plan.size(); ++b) {
      std::lock_guard<std::mutex> lock(run_mutex_);
      batch_.Fill(encodings, plan.rows(b), plan.count(b), tokenizer_->pad_id, &io_.counters, session_->has_position_ids());
      ort::TensorOutput output;
      SK_RETURN_IF_ERROR(session_->Run(batch_.Inputs(), batch_.batch, batch_.seq, &output, &io_));
      SK_RETURN_IF_ERROR(consume(output, BatchRows{plan.rows(b), plan.count(b), 0}));
    }
    return Status::Ok();
  }

  // Runs [CLS] [SEP] once and returns the output's last dimension.
  Status ProbeLastDimension(size_t max_length, int64_t* out) const {
    tok::EncodeOptions options;
    options.max_length = max_length;
    std::vector<tok::Encoding> encodings(1);
    SK_RETURN_IF_ERROR(tokenizer_->tokenizer->Encode("", options, &encodings[0]));
    const size_t row = 0;
    PaddedBatch batch;
    batch.pad_left = tokenizer_->pads_left;
    batch.Fill(encodings, &row, 1, tokenizer_->pad_id, nullptr, session_->has_position_ids());
    ort::TensorOutput output;
    std::lock_guard<std::mutex> lock(run_mutex_);
    SK_RETURN_IF_ERROR(session_->Run(batch.Inputs(), batch.batch, batch.seq, &output));
    if (output.shape().empty()) return ModelLoadError(session_->model_path() + ": output is a scalar");
    *out = output.shape().back();
    return Status::Ok();
  }

  const ModelTokenizer* tokenizer_ = nullptr;
  std::unique_ptr<ort::OrtSession> session_;
  size_t width_ = 0;
  // One run at a time per model: concurrent runs would fight over the same intra-op cores.
  mutable std::mutex run_mutex_;
  // Guarded by run_mutex_.
  mutable PaddedBatch batch_;
  mutable ort::IoCache io_;
};

}  // namespace

Status LoadOnnxBackend(const ModelFiles& files, const ModelTokenizer& tokenizer, std::unique_ptr<EncoderBackend>* out) {
  return LoadBackend<OnnxBackend>(out, files, tokenizer);
}

}  // namespace sk::pipeline
