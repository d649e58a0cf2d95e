// The one contract between the model classes and the engines that run a transformer encoder:
// ONNX Runtime (onnx_backend.cc), sentencekit's CPU engine (cpu_engine_backend.cc) and its CUDA
// engine (cuda_backend.cc). A model class tokenizes, hands the backend all of a call's
// encodings, and finishes the rows the backend gives back (Dense, normalization, sparse rows…);
// it never names an engine. Each backend cuts the encodings into batches by its own policy
// through the one batching path (batch_cut.h): padded batches of similar length sorted longest
// first (ONNX Runtime), or packed, unpadded runs of consecutive texts (the engines), each under
// a token budget. The shape follows text-embeddings-inference's Backend (embed / predict over a
// packed batch, is_padded) and the CUDA engine's own cuda_engine/encoder_engine.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "cpu_engine/cpu_encoder.h"
#include "pipeline/batch_cut.h"
#include "pipeline/model_input.h"
#include "pipeline/pooling.h"
#include "runtime/cuda_backend_api.h"
#include "runtime/io_cache.h"

namespace sk::pipeline {

// cpuEngine 'int8' or 'bf16x3': sentencekit's own CPU engine (cpu_engine/) runs the transformer
// from model_dir's model.safetensors and config.json instead of ONNX Runtime, with int8 or
// bf16x3 (fp32-accurate) GEMMs.
struct CpuEnginePlacement {
  bool enabled = false;
  cpu::EnginePrecision precision = cpu::EnginePrecision::kInt8;
  std::string model_dir;
  size_t threads = 0;          // its lanes (0: one per hardware thread)
  bool allow_spinning = true;  // lanes poll briefly between parallel sections (allowSpinning)
  // Empty: model_dir's model.safetensors; else a pytorch_model.bin read through its tensor table
  // (cpu::EngineLoadOptions).
  std::string weights_path;
  std::string weights_table;
};

// device 'cuda': the CUDA engine (weights from model.safetensors and config.json in model_dir)
// instead of ONNX Runtime; tokenization and post-processing stay on the CPU, in the same order.
struct CudaPlacement {
  bool enabled = false;
  std::string library_dir;  // where libsentencekit_cuda.so is (the addon's directory)
  std::string model_dir;
  SkCudaDtype dtype = SK_CUDA_DTYPE_FLOAT16;
  int device = 0;
};

// Where a model runs, resolved once by lib/: the CUDA engine, else the CPU engine, else ONNX
// Runtime on files.model_path (with files.session's threads).
struct Placement {
  CudaPlacement cuda;
  CpuEnginePlacement cpu_engine;
};

// What the encoder carries on top, which fixes the backend's output width: hidden states
// (kNone), a sequence-classification head's logits, or a masked-LM head's vocabulary.
enum class Head { kNone, kClassifier, kMaskedLm };

// SpladePooling's activation_function: "relu" is log1p(relu(x)); "log1p_relu" (opensearch's
// inference-free models) applies log1p once more. Both are monotonic, so the maximum over
// tokens can be taken on the raw logits and the activation applied once per vocabulary entry.
enum class SpladeActivation { kRelu, kLog1pRelu };

// SPLADE's activation on one row of per-vocabulary maxima, in place: log1p(relu(x)), once
// more for kLog1pRelu; NaN stays NaN.
void SpladeActivate(SpladeActivation activation, float* row, size_t vocab);

// Pooling as the model class asks for it.
struct PoolRequest {
  PoolingSpec spec;
  // Leading tokens (the prompt, [CLS] included) left out of pooling (include_prompt: false).
  size_t prompt_tokens = 0;
  // The model ends in a Normalize module right after pooling: a backend that pools on its
  // device may normalize there too (and says so).
  bool may_normalize = false;
};

// One batch's rows as a backend hands them back.
struct BatchRows {
  const size_t* rows;  // each row's index in the call's encodings
  size_t count;
  size_t lane;  // which of lanes() ran the batch: lanes run batches at once
};

// [count, pooled width] rows, the caller's to change; `normalized`: the backend already
// applied the Normalize module.
using PooledSink = std::function<Status(const BatchRows&, float* pooled, bool normalized)>;
// Each row's first real token; a row's tokens are contiguous, [its length, width()].
using TokensSink = std::function<Status(const BatchRows&, const float* const* row_tokens)>;
// [count, width()] rows: classification logits, or SPLADE weights (activation applied).
using RowsSink = std::function<Status(const BatchRows&, const float* rows)>;

class EncoderBackend {
 public:
  virtual ~EncoderBackend() = default;

  // Hidden size (Head::kNone), labels (kClassifier) or vocabulary (kMaskedLm).
  virtual size_t width() const = 0;
  // The longest input the engine has positions for (0: the engine checks nothing itself).
  virtual size_t max_positions() const = 0;
  // How many batches may be handed back at once (sinks must keep per-lane scratch).
  virtual size_t lanes() const { return 1; }
  // What the runs have allocated so far (see ort::IoCounters); zero for the own engines.
  virtual ort::IoCounters IoCounters() const { return {}; }

  // Each runs every encoding once, in batches cut by the backend's policy under `limits`, and
  // hands back every batch's rows. The first error wins. Thread-safe.
  virtual Status Pooled(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                        const PoolRequest& request, const PooledSink& sink) const = 0;
  virtual Status Tokens(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                        const TokensSink& sink) const = 0;
  virtual Status Logits(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                        const RowsSink& sink) const = 0;
  virtual Status SpladeWeights(const std::vector<tok::Encoding>& encodings, const BatchLimits& limits,
                               SpladeActivation activation, const RowsSink& sink) const = 0;
};

// Loads the backend `placement` names, with `head` (ERR_MODEL_LOAD when the weights have
// none). `tokenizer` must outlive the backend (ONNX Runtime pads with its pad id and probes its
// output width with it). A max_seq_length past the model's positions is accepted, as in Python;
// the model classes check each call's inputs against max_positions() instead.
Status LoadEncoderBackend(const ModelFiles& files, const Placement& placement, Head head,
                          const ModelTokenizer& tokenizer, std::unique_ptr<EncoderBackend>* out);

// One per engine, each in its own file; LoadEncoderBackend picks.
Status LoadOnnxBackend(const ModelFiles& files, const ModelTokenizer& tokenizer,
                       std::unique_ptr<EncoderBackend>* out);
Status LoadCpuEngineBackend(const CpuEnginePlacement& placement, Head head, std::unique_ptr<EncoderBackend>* out);
Status LoadCudaBackend(const CudaPlacement& placement, Head head, std::unique_ptr<EncoderBackend>* out);

// Makes a Backend and calls its Load(args...); *out is set only when it succeeds.
template <typename Backend, typename... Args>
Status LoadBackend(std::unique_ptr<EncoderBackend>* out, const Args&... args) {
  std::unique_ptr<Backend> backend(new Backend());
  SK_RETURN_IF_ERROR(backend->Load(args...));
  *out = std::move(backend);
  return Status::Ok();
}

}  // namespace sk::pipeline
