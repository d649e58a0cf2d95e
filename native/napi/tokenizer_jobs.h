// The tokenizer's own operations on a model, as jobs on its owner thread after the runs already
// queued: tokenize(texts, maxLength, { offsets?, addSpecialTokens? }?), sentence-transformers'
// `model.tokenize(texts)` (truncated to maxLength, padded to the longest text on the side the
// model pads, resolved as { inputIds, attentionMask, tokenTypeIds, specialTokensMask: Int32Array
// (rows × length, row-major), rows, length }; with offsets, `offsets: Uint32Array` (rows × length
// × 2: each token's UTF-8 byte start and end in its text, {0, 0} for special tokens and padding);
// addSpecialTokens false leaves the special tokens out, for the server's /tokenize), and decode(ids: Int32Array[], skipSpecialTokens), tokenizers'
// `decode_batch` (resolved as string[]). `tokenizer` shares ownership of the model that holds
// it (an aliasing shared_ptr), so a dispose() while the job waits frees nothing under it.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>

#include "napi/model_job.h"
#include "tokenizer/tokenizer.h"

namespace sk::napi {

// How the model pads and truncates (tokenizer_config.json's pad_token, padding_side and
// truncation_side, else tokenizer.json's).
struct PaddingRule {
  int64_t pad_id = 0;
  bool pad_left = false;
  tok::TruncationSide truncation_side = tok::TruncationSide::kRight;
};

// Read the call's arguments (TypeError on a bad call) and return the job's steps.
JobSteps TokenizeSteps(const Napi::CallbackInfo& info, std::shared_ptr<const tok::Tokenizer> tokenizer,
                       PaddingRule padding);
JobSteps DecodeSteps(const Napi::CallbackInfo& info, std::shared_ptr<const tok::Tokenizer> tokenizer);

}  // namespace sk::napi
