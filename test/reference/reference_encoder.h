// A straightforward fp32 BERT/RoBERTa/MPNet forward pass on the CPU (plain loops, double
// accumulation), the reference the CUDA engine's output is compared against.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace sktest {

class ReferenceEncoder {
 public:
  sk::Status Load(const std::string& model_dir);
  // Last hidden state of one sequence: [ids.size(), hidden].
  std::vector<float> Forward(const std::vector<int32_t>& ids) const;
  int hidden() const { return hidden_; }
  int vocab() const { return vocab_; }
  int max_sequence() const { return max_position_ - position_offset_; }

 private:
  const std::vector<float>& W(const std::string& name) const { return weights_.at(prefix_ + name); }
  std::string QkvName(int part) const;
  std::string AttnOutName() const;
  std::string AttnNormName() const;
  int RelativeBucket(int relative_position) const;
  int hidden_ = 0, heads_ = 0, layers_ = 0, intermediate_ = 0, vocab_ = 0, max_position_ = 0;
  int type_vocab_ = 0, position_offset_ = 0;
  float eps_ = 1e-12f;
  bool tanh_gelu_ = false;
  bool mpnet_ = false;  // MPNet: other names, no token types, a relative position bias
  int buckets_ = 0;
  std::string prefix_;
  std::map<std::string, std::vector<float>> weights_;
};

}  // namespace sktest
