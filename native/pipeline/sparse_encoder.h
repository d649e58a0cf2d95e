// A SPLADE sparse encoder: masked-LM logits [batch, seq, vocab] → log1p(relu(·)) → max over
// the unmasked tokens, kept as sparse rows. Because log1p∘relu is monotonic, the max is taken
// on the raw logits and the transform applied once per vocabulary entry: no second
// [batch, seq, vocab] buffer and a vocabulary-sized transform per text instead of per token.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "cpu_engine/cpu_encoder.h"
#include "pipeline/cuda_placement.h"
#include "pipeline/cpu_engine_placement.h"
#include "pipeline/model_session.h"
#include "runtime/cuda_backend.h"

namespace sk::pipeline {

// Compressed sparse rows: row r holds indices/values[offsets[r] .. offsets[r + 1]), indices
// ascending.
struct SparseRows {
  std::vector<int32_t> indices;
  std::vector<float> values;
  std::vector<int64_t> offsets{0};
};

// SpladePooling's activation_function: "relu" is log1p(relu(x)); "log1p_relu" (opensearch's
// inference-free models) applies log1p once more. Both are monotonic, so the max-first
// pooling holds for either.
enum class SpladeActivation { kRelu, kLog1pRelu };

class SparseEncoderModel {
 public:
  static Status Load(const ModelFiles& files, std::unique_ptr<SparseEncoderModel>* out,
                     SpladeActivation activation = SpladeActivation::kRelu);
  // device 'cuda': encoder, masked-LM head and SPLADE pooling run in the CUDA engine from
  // cuda.model_dir's model.safetensors; files.model_path (ONNX) is not opened.
  static Status LoadCuda(const ModelFiles& files, const CudaPlacement& cuda, std::unique_ptr<SparseEncoderModel>* out,
                         SpladeActivation activation = SpladeActivation::kRelu);

  // cpuEngine 'int8' or 'bf16x3': encoder and masked-LM head on the CPU engine from
  // cpu_engine.model_dir's model.safetensors, SPLADE pooling folded into its decoder tiles; no
  // ONNX file is opened.
  static Status LoadCpuEngine(const ModelFiles& files, const CpuEnginePlacement& cpu_engine, std::unique_ptr<SparseEncoderModel>* out,
                         SpladeActivation activation = SpladeActivation::kRelu);

  size_t vocab_size() const { return vocab_size_; }
  const tok::Tokenizer& tokenizer() const { return *model_.tokenizer; }

  // `max_active_dims` > 0 keeps only that many largest weights per row, as
  // sentence-transformers' max_active_dims does; texts are truncated to `max_length` tokens (0:
  // the length the model loaded with). Thread-safe.
  Status Encode(const std::vector<std::string>& texts, size_t batch_size, size_t max_active_dims, size_t max_length,
                SparseRows* out) const;

 private:
  SparseEncoderModel() = default;
  Status EncodeOnCuda(const std::vector<tok::Encoding>& encodings, size_t batch_size, size_t max_active_dims,
                      SparseRows* out) const;
  Status EncodeOnCpuEngine(const std::vector<tok::Encoding>& encodings, size_t batch_size, size_t max_active_dims,
                      SparseRows* out) const;

  ModelFiles files_;
  ModelSession model_;  // on 'cuda' only its tokenizer is loaded
  std::unique_ptr<runtime::CudaEncoder> cuda_;
  std::unique_ptr<cpu::CpuEncoder> engine_;
  size_t vocab_size_ = 0;
  SpladeActivation activation_ = SpladeActivation::kRelu;
};

// SPLADE's activation on one row of per-vocabulary maxima, in place: log1p(relu(x)), once
// more for kLog1pRelu; NaN stays NaN.
void SpladeActivate(SpladeActivation activation, float* row, size_t vocab);

// Joins per-text sparse rows, in order, into one SparseRows.
void ConcatenateSparseRows(const std::vector<SparseRows>& rows, SparseRows* out);

// Turns one dense row of SPLADE weights into sparse entries, keeping the `max_active_dims`
// largest (all positive ones when 0). Exposed for tests.
void AppendSparseRow(const float* weights, size_t vocab, size_t max_active_dims, SparseRows* out);

}  // namespace sk::pipeline
