// sentence-transformers' Dense module: y = activation(W x + b) (+ x or a projection of x when
// use_residual), applied to pooled embeddings. Weights are handed over by lib/, which reads
// them from the module's model.safetensors.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"

namespace sk::pipeline {

enum class DenseActivation { kIdentity, kTanh, kSigmoid, kRelu, kGelu };

Status ParseDenseActivation(const std::string& name, DenseActivation* out);

struct DenseLayer {
  size_t in_features = 0;
  size_t out_features = 0;
  std::vector<float> weight;           // [out_features, in_features], row-major (torch's layout)
  std::vector<float> bias;             // [out_features] or empty
  DenseActivation activation = DenseActivation::kTanh;
  bool use_residual = false;
  std::vector<float> residual_weight;  // [out_features, in_features] when residual and in != out

  Status Validate() const;
  // out[rows, out_features] = layer(in[rows, in_features]).
  void Apply(const float* in, size_t rows, float* out) const;
};

}  // namespace sk::pipeline
