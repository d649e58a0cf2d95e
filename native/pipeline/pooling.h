// Reading sentence-transformers pooling configs into the kernels' PoolingSpec: mode names as
// 1_Pooling/config.json writes them, concatenated in the configured order.
#pragma once

#include <string_view>

#include "core/status.h"
#include "kernels/pooling.h"

namespace sk::pipeline {

using kernels::PoolingMode;
using kernels::PoolingSpec;

// Parses a sentence-transformers mode name ("mean", "cls", "max", "mean_sqrt_len_tokens",
// "weightedmean", "lasttoken").
Status ParsePoolingMode(std::string_view name, PoolingMode* out);
// Checks the spec is non-empty and free of duplicates.
Status ValidatePoolingSpec(const PoolingSpec& spec);

}  // namespace sk::pipeline
