// tokenize(texts, maxLength): sentence-transformers' `model.tokenize(texts)` — the model's own
// tokenizer, truncated to its max_seq_length and padded to the longest text, resolved as
// { inputIds, attentionMask, tokenTypeIds: Int32Array (rows × length, row-major), rows, length }.
// Runs on the model's owner thread, after the runs already queued.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "napi/model_owner.h"
#include "napi/texts_arg.h"
#include "tokenizer/tokenizer.h"

namespace sk::napi {

class TokenizeWorker : public OwnerJob {
 public:
  // `tokenizer` shares ownership of the model that holds it (an aliasing shared_ptr), so a
  // dispose() while this job waits frees nothing under it.
  // `pad_left`: the side the model pads on (tokenizer_config.json's padding_side, else tokenizer.json's).
  TokenizeWorker(Napi::Env env, std::shared_ptr<const tok::Tokenizer> tokenizer, TextsArg texts, size_t max_length,
                 bool pad_left);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<const tok::Tokenizer> tokenizer_;
  TextsArg texts_;
  size_t max_length_;
  bool pad_left_;
  size_t length_ = 0;
  std::vector<int32_t> ids_;
  std::vector<int32_t> mask_;
  std::vector<int32_t> type_ids_;
};

// Reads tokenize()'s arguments (texts, maxLength) and queues the job on `owner`.
Napi::Value SubmitTokenize(const Napi::CallbackInfo& info, ModelOwner* owner, std::shared_ptr<const tok::Tokenizer> tokenizer,
                           bool pad_left);

}  // namespace sk::napi
