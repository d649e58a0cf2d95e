#include "napi/decode_worker.h"

#include "napi/errors.h"

namespace sk::napi {

DecodeWorker::DecodeWorker(Napi::Env env, std::shared_ptr<const tok::Tokenizer> tokenizer,
                           std::vector<std::vector<int64_t>> rows, bool skip_special_tokens)
    : OwnerJob(env), tokenizer_(std::move(tokenizer)), rows_(std::move(rows)), skip_special_tokens_(skip_special_tokens) {}

Status DecodeWorker::Run() {
  texts_.resize(rows_.size());
  for (size_t i = 0; i < rows_.size(); ++i) {
    Status status = tokenizer_->Decode(rows_[i], skip_special_tokens_, &texts_[i]);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Napi::Value DecodeWorker::Result(Napi::Env env) {
  Napi::Array result = Napi::Array::New(env, texts_.size());
  for (size_t i = 0; i < texts_.size(); ++i) result.Set(static_cast<uint32_t>(i), Napi::String::New(env, texts_[i]));
  return result;
}

Napi::Value SubmitDecode(const Napi::CallbackInfo& info, ModelOwner* owner, std::shared_ptr<const tok::Tokenizer> tokenizer) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsBoolean()) ThrowTypeError(env, "decode(ids: Int32Array[], skipSpecialTokens)");
  const Napi::Array list = info[0].As<Napi::Array>();
  std::vector<std::vector<int64_t>> rows(list.Length());
  for (uint32_t r = 0; r < list.Length(); ++r) {
    const Napi::Value row = list.Get(r);
    if (!row.IsTypedArray() || row.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      ThrowTypeError(env, "decode(ids: Int32Array[], skipSpecialTokens)");
    }
    // Copied here, on the main thread: the caller may reuse its arrays once this returns.
    const Napi::Int32Array ids = row.As<Napi::Int32Array>();
    rows[r].assign(ids.Data(), ids.Data() + ids.ElementLength());
  }
  return owner->Submit(env, std::make_unique<DecodeWorker>(env, std::move(tokenizer), std::move(rows), info[1].As<Napi::Boolean>().Value()));
}

}  // namespace sk::napi
