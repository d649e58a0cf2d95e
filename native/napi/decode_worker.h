// decode(ids: Int32Array[], skipSpecialTokens: boolean): tokenizers' `decode_batch` — each
// row of ids back to text through the tokenizer.json decoder, special tokens dropped when
// asked; resolved as string[]. Runs on the model's owner thread, after the runs already queued.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "napi/model_owner.h"
#include "tokenizer/tokenizer.h"

namespace sk::napi {

class DecodeWorker : public OwnerJob {
 public:
  // `tokenizer` shares ownership of the model that holds it, as TokenizeWorker's does.
  DecodeWorker(Napi::Env env, std::shared_ptr<const tok::Tokenizer> tokenizer, std::vector<std::vector<int64_t>> rows,
               bool skip_special_tokens);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<const tok::Tokenizer> tokenizer_;
  std::vector<std::vector<int64_t>> rows_;
  bool skip_special_tokens_;
  std::vector<std::string> texts_;
};

// Reads decode()'s arguments (ids rows copied on the main thread) and queues the job on `owner`.
Napi::Value SubmitDecode(const Napi::CallbackInfo& info, ModelOwner* owner, std::shared_ptr<const tok::Tokenizer> tokenizer);

}  // namespace sk::napi
