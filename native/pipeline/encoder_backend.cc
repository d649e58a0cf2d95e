#include "pipeline/encoder_backend.h"

#include <cmath>

namespace sk::pipeline {

Status LoadEncoderBackend(const ModelFiles& files, const Placement& placement, Head head,
                          const ModelTokenizer& tokenizer, std::unique_ptr<EncoderBackend>* out) {
  if (placement.cuda.enabled) return LoadCudaBackend(placement.cuda, head, out);
  if (placement.cpu_engine.enabled) return LoadCpuEngineBackend(placement.cpu_engine, head, out);
  return LoadOnnxBackend(files, tokenizer, out);
}

void SpladeActivate(SpladeActivation activation, float* row, size_t vocab) {
  // log1p(relu(max)) == max(log1p(relu(x))): both functions are monotonic.
  const bool twice = activation == SpladeActivation::kLog1pRelu;
  for (size_t j = 0; j < vocab; ++j) {
    row[j] = row[j] > 0.0f ? std::log1p(row[j]) : (std::isnan(row[j]) ? row[j] : 0.0f);
    if (twice) row[j] = std::log1p(row[j]);
  }
}

}  // namespace sk::pipeline
