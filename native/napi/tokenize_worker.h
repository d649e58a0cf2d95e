// tokenize(texts, maxLength): sentence-transformers' `model.tokenize(texts)` — the model's own
// tokenizer, truncated to its max_seq_length and padded to the longest text, resolved as
// { inputIds, attentionMask, tokenTypeIds, specialTokensMask: Int32Array (rows × length,
// row-major), rows, length }. An optional third argument { offsets?, addSpecialTokens? } adds
// `offsets: Uint32Array` (rows × length × 2: each token's UTF-8 byte start and end in its text,
// {0, 0} for special tokens and padding) and can leave the special tokens out (/tokenize).
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
  // `pad_id`, `pad_left` and `truncation_side`: how the model pads and truncates
  // (tokenizer_config.json's pad_token, padding_side and truncation_side, else tokenizer.json's).
  TokenizeWorker(Napi::Env env, std::shared_ptr<const tok::Tokenizer> tokenizer, TextsArg texts, size_t max_length,
                 int64_t pad_id, bool pad_left, tok::TruncationSide truncation_side, bool offsets = false,
                 bool add_special_tokens = true);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<const tok::Tokenizer> tokenizer_;
  TextsArg texts_;
  size_t max_length_;
  int64_t pad_id_;
  bool pad_left_;
  tok::TruncationSide truncation_side_;
  size_t length_ = 0;
  std::vector<int32_t> ids_;
  std::vector<int32_t> mask_;
  std::vector<int32_t> type_ids_;
  std::vector<int32_t> special_;  // 1 where the post-processor added the token
  bool with_offsets_;
  bool add_special_tokens_;
  std::vector<uint32_t> offsets_;  // byte offsets, two per token
};

// Reads tokenize()'s arguments (texts, maxLength) and queues the job on `owner`.
Napi::Value SubmitTokenize(const Napi::CallbackInfo& info, ModelOwner* owner, std::shared_ptr<const tok::Tokenizer> tokenizer,
                           int64_t pad_id, bool pad_left, tok::TruncationSide truncation_side);

}  // namespace sk::napi
