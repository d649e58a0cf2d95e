// A SPLADE sparse encoder: masked-LM logits [batch, seq, vocab] → log1p(relu(·)) → max over
// the unmasked tokens (the backend's SpladeWeights), kept as sparse rows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/encoder_backend.h"

namespace sk::pipeline {

// Compressed sparse rows: row r holds indices/values[offsets[r] .. offsets[r + 1]), indices
// ascending.
struct SparseRows {
  std::vector<int32_t> indices;
  std::vector<float> values;
  std::vector<int64_t> offsets{0};
};

class SparseEncoderModel {
 public:
  // On the CPU engine or CUDA the masked-LM head is read from the placement's model.safetensors
  // (ERR_MODEL_LOAD without one) and SPLADE pooling is fused into it; on ONNX Runtime the
  // export's output is the [batch, sequence, vocabulary] logits.
  static Status Load(const ModelFiles& files, const Placement& placement, std::unique_ptr<SparseEncoderModel>* out,
                     SpladeActivation activation = SpladeActivation::kRelu);

  size_t vocab_size() const { return backend_->width(); }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_.tokenizer; }

  // `max_active_dims` > 0 keeps only that many largest weights per row, as
  // sentence-transformers' max_active_dims does; texts are truncated to `max_length` tokens (0:
  // the length the model loaded with). Thread-safe.
  Status Encode(const std::vector<std::string>& texts, size_t batch_size, size_t max_active_dims, size_t max_length,
                SparseRows* out) const;
  // Encode() from token ids: each row taken as final, nothing added, cut to `max_length` on the
  // tokenizer's truncation side (pipeline/token_id_input.h). Thread-safe.
  Status EncodeIds(const std::vector<std::vector<int64_t>>& ids, size_t batch_size, size_t max_active_dims,
                   size_t max_length, SparseRows* out) const;

 private:
  SparseEncoderModel() = default;
  // The model's run and the sparse rows over a call's encodings.
  Status Run(const std::vector<tok::Encoding>& encodings, size_t batch_size, size_t max_active_dims,
             SparseRows* out) const;

  ModelFiles files_;
  ModelTokenizer tokenizer_;  // before backend_, which borrows it
  std::unique_ptr<EncoderBackend> backend_;
  SpladeActivation activation_ = SpladeActivation::kRelu;
};

// Joins per-text sparse rows, in order, into one SparseRows.
void ConcatenateSparseRows(const std::vector<SparseRows>& rows, SparseRows* out);

// Turns one dense row of SPLADE weights into sparse entries, keeping the `max_active_dims`
// largest (all positive ones when 0). Exposed for tests.
void AppendSparseRow(const float* weights, size_t vocab, size_t max_active_dims, SparseRows* out);

}  // namespace sk::pipeline
