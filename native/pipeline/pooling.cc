#include "pipeline/pooling.h"

#include <cstring>

#include "kernels/kernels.h"

namespace sk::pipeline {

Status ParsePoolingMode(std::string_view name, PoolingMode* out) {
  if (name == "cls") *out = PoolingMode::kCls;
  else if (name == "max") *out = PoolingMode::kMax;
  else if (name == "mean") *out = PoolingMode::kMean;
  else if (name == "mean_sqrt_len_tokens") *out = PoolingMode::kMeanSqrtLen;
  else if (name == "weightedmean") *out = PoolingMode::kWeightedMean;
  else if (name == "lasttoken") *out = PoolingMode::kLastToken;
  else return InvalidArgument("unknown pooling mode '" + std::string(name) + "'");
  return Status::Ok();
}

Status ValidatePoolingSpec(const PoolingSpec& spec) {
  if (spec.modes.empty()) return InvalidArgument("pooling needs at least one mode");
  for (size_t i = 0; i < spec.modes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (spec.modes[j] == spec.modes[i]) return InvalidArgument("pooling modes must be distinct");
    }
    switch (spec.modes[i]) {
      case PoolingMode::kCls:
      case PoolingMode::kMax:
      case PoolingMode::kMean:
        break;
      default:
        return InvalidArgument("pooling mode not supported yet");
    }
  }
  return Status::Ok();
}

namespace {

void PoolOne(PoolingMode mode, const float* tokens, const int64_t* mask, size_t batch, size_t seq,
             size_t hidden, float* out) {
  switch (mode) {
    case PoolingMode::kCls: kernels::ClsPool(tokens, mask, batch, seq, hidden, out); break;
    case PoolingMode::kMax: kernels::MaxPool(tokens, mask, batch, seq, hidden, out); break;
    case PoolingMode::kMean: kernels::MeanPool(tokens, mask, batch, seq, hidden, out); break;
    default: break;  // rejected by ValidatePoolingSpec
  }
}

}  // namespace

void Pool(const PoolingSpec& spec, const float* tokens, const int64_t* mask, size_t batch,
          size_t seq, size_t hidden, float* out, std::vector<float>* scratch) {
  if (spec.modes.size() == 1) {
    PoolOne(spec.modes[0], tokens, mask, batch, seq, hidden, out);
    return;
  }
  // Several modes: pool each into scratch, then interleave per row.
  const size_t width = spec.modes.size() * hidden;
  scratch->resize(batch * hidden);
  for (size_t m = 0; m < spec.modes.size(); ++m) {
    PoolOne(spec.modes[m], tokens, mask, batch, seq, hidden, scratch->data());
    for (size_t b = 0; b < batch; ++b) {
      std::memcpy(out + b * width + m * hidden, scratch->data() + b * hidden, hidden * sizeof(float));
    }
  }
}

}  // namespace sk::pipeline
