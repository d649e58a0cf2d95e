// encodeTokens(texts, batchSize, maxLength): output_value="token_embeddings" — every text's unpadded
// transformer outputs, resolved as { data: Float32Array, tokenCounts: Int32Array }.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "napi/model_owner.h"
#include "napi/texts_arg.h"
#include "pipeline/sentence_encoder.h"

namespace sk::napi {

class TokenEmbeddingsWorker : public OwnerJob {
 public:
  TokenEmbeddingsWorker(Napi::Env env, std::shared_ptr<pipeline::SentenceEncoder> encoder,
                        TextsArg texts, size_t batch_size, size_t max_length);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<pipeline::SentenceEncoder> encoder_;
  TextsArg texts_;
  size_t batch_size_;
  size_t max_length_;  // 0: the length the model loaded with
  std::vector<float> data_;
  std::vector<int32_t> token_counts_;
};

}  // namespace sk::napi
