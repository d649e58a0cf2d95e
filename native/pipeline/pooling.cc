#include "pipeline/pooling.h"

#include <string>

namespace sk::pipeline {

Status ParsePoolingMode(std::string_view name, PoolingMode* out) {
  if (name == "cls") *out = PoolingMode::kCls;
  else if (name == "max") *out = PoolingMode::kMax;
  else if (name == "mean") *out = PoolingMode::kMean;
  else if (name == "mean_sqrt_len_tokens") *out = PoolingMode::kMeanSqrtLenTokens;
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
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
