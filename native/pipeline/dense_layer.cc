#include "pipeline/dense_layer.h"

#include <cmath>

namespace sk::pipeline {
namespace {

float Activate(DenseActivation activation, float x) {
  switch (activation) {
    case DenseActivation::kIdentity: return x;
    case DenseActivation::kTanh: return std::tanh(x);
    case DenseActivation::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case DenseActivation::kRelu: return x > 0.0f ? x : 0.0f;
    case DenseActivation::kGelu: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
  }
  return x;
}

// One output value: the dot product of a weight row with the input row. Plain loops that
// -O3 vectorises; the Dense head is tiny next to the transformer.
float Dot(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

Status ParseDenseActivation(const std::string& name, DenseActivation* out) {
  if (name == "identity") *out = DenseActivation::kIdentity;
  else if (name == "tanh") *out = DenseActivation::kTanh;
  else if (name == "sigmoid") *out = DenseActivation::kSigmoid;
  else if (name == "relu") *out = DenseActivation::kRelu;
  else if (name == "gelu") *out = DenseActivation::kGelu;
  else return InvalidArgument("unsupported Dense activation '" + name + "'");
  return Status::Ok();
}

Status DenseLayer::Validate() const {
  if (in_features == 0 || out_features == 0) return ModelLoadError("Dense layer with zero features");
  if (weight.size() != in_features * out_features) {
    return ModelLoadError("Dense weight has " + std::to_string(weight.size()) + " values, expected " +
                          std::to_string(out_features) + " x " + std::to_string(in_features));
  }
  if (!bias.empty() && bias.size() != out_features) return ModelLoadError("Dense bias does not match out_features");
  if (use_residual && in_features != out_features && residual_weight.size() != in_features * out_features) {
    return ModelLoadError("Dense residual projection does not match its features");
  }
  return Status::Ok();
}

void DenseLayer::Apply(const float* in, size_t rows, float* out) const {
  for (size_t r = 0; r < rows; ++r) {
    const float* x = in + r * in_features;
    float* y = out + r * out_features;
    for (size_t o = 0; o < out_features; ++o) {
      float value = Dot(weight.data() + o * in_features, x, in_features);
      if (!bias.empty()) value += bias[o];
      value = Activate(activation, value);
      if (use_residual) {
        value += in_features == out_features ? x[o] : Dot(residual_weight.data() + o * in_features, x, in_features);
      }
      y[o] = value;
    }
  }
}

}  // namespace sk::pipeline
