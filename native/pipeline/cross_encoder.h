// A cross-encoder (reranker): each (first, second) pair is one sequence through a
// sequence-classification model; the result is its raw logits. Activations (sigmoid,
// softmax) are applied by the caller, as sentence-transformers applies them after the model.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "cpu_engine/cpu_encoder.h"
#include "pipeline/classification_head.h"
#include "pipeline/cuda_placement.h"
#include "pipeline/cpu_engine_placement.h"
#include "pipeline/model_session.h"
#include "runtime/cuda_backend.h"

namespace sk::pipeline {

class CrossEncoderModel {
 public:
  static Status Load(const ModelFiles& files, std::unique_ptr<CrossEncoderModel>* out);
  // device 'cuda': the encoder and its classification head run in the CUDA engine from
  // cuda.model_dir's model.safetensors; files.model_path (the ONNX file) is not opened.
  static Status LoadCuda(const ModelFiles& files, const CudaPlacement& cuda, std::unique_ptr<CrossEncoderModel>* out);
  // cpuEngine 'int8' or 'bf16x3': the CPU engine runs the encoder from cpu_engine.model_dir's
  // model.safetensors, and the classification head from the same file in fp32; the ONNX file is
  // not opened.
  static Status LoadCpuEngine(const ModelFiles& files, const CpuEnginePlacement& cpu_engine, std::unique_ptr<CrossEncoderModel>* out);

  size_t num_labels() const { return num_labels_; }

  // Writes out[pairs.size() * num_labels()] logits in the caller's order, each pair truncated
  // longest_first to `max_length` tokens (0: the length the model loaded with). Thread-safe.
  Status Predict(const std::vector<std::pair<std::string, std::string>>& pairs, size_t batch_size, size_t max_length,
                 float* out) const;

 private:
  CrossEncoderModel() = default;
  Status PredictOnCuda(const std::vector<tok::Encoding>& encodings, size_t batch_size, float* out) const;
  Status PredictOnCpuEngine(const std::vector<tok::Encoding>& encodings, float* out) const;

  ModelFiles files_;
  ModelSession model_;  // on 'cuda' only its tokenizer is loaded
  std::unique_ptr<runtime::CudaEncoder> cuda_;
  std::unique_ptr<cpu::CpuEncoder> engine_;
  ClassificationHead head_;  // with engine_
  size_t num_labels_ = 0;
};

}  // namespace sk::pipeline
