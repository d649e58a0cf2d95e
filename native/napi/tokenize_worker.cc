#include "napi/tokenize_worker.h"

#include <algorithm>

#include "core/utf8.h"
#include "napi/errors.h"

namespace sk::napi {

TokenizeWorker::TokenizeWorker(Napi::Env env, std::shared_ptr<const tok::Tokenizer> tokenizer, TextsArg texts,
                               size_t max_length, int64_t pad_id, bool pad_left, tok::TruncationSide truncation_side,
                               bool offsets, bool add_special_tokens)
    : OwnerJob(env),
      tokenizer_(std::move(tokenizer)),
      texts_(std::move(texts)),
      max_length_(max_length),
      pad_id_(pad_id),
      pad_left_(pad_left),
      truncation_side_(truncation_side),
      with_offsets_(offsets),
      add_special_tokens_(add_special_tokens) {}

namespace {

// The UTF-8 byte where each code point of `text` starts, and the end: as utf8::Decode reads
// the text (an invalid byte is one U+FFFD), so code point offsets become byte offsets.
std::vector<uint32_t> CodePointBytes(const std::string& text) {
  std::vector<uint32_t> starts;
  starts.reserve(text.size() + 1);
  size_t pos = 0;
  while (pos < text.size()) {
    starts.push_back(static_cast<uint32_t>(pos));
    utf8::Next(text, &pos);
  }
  starts.push_back(static_cast<uint32_t>(text.size()));
  return starts;
}

}  // namespace

Status TokenizeWorker::Run() {
  const std::vector<std::string>& texts = texts_.Strings();
  tok::EncodeOptions options;
  options.max_length = max_length_;
  options.side = truncation_side_;
  options.offsets = with_offsets_;
  options.add_special_tokens = add_special_tokens_;
  std::vector<tok::Encoding> encodings(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Status status = tokenizer_->Encode(texts[i], options, &encodings[i]);
    if (!status.ok()) return status;
    length_ = std::max(length_, encodings[i].ids.size());
  }
  // padding=True: every row padded to the longest, on the side the tokenizer pads.
  const int32_t pad_id = static_cast<int32_t>(pad_id_);
  const bool left = pad_left_;
  ids_.assign(texts.size() * length_, pad_id);
  mask_.assign(texts.size() * length_, 0);
  type_ids_.assign(texts.size() * length_, 0);
  special_.assign(texts.size() * length_, 0);
  if (with_offsets_) offsets_.assign(texts.size() * length_ * 2, 0);
  for (size_t i = 0; i < encodings.size(); ++i) {
    const tok::Encoding& encoding = encodings[i];
    const size_t n = encoding.ids.size();
    const size_t start = i * length_ + (left ? length_ - n : 0);
    if (with_offsets_) {
      const std::vector<uint32_t> bytes = CodePointBytes(texts[i]);
      for (size_t j = 0; j < n && j < encoding.offsets.size(); ++j) {
        const auto [begin, end] = encoding.offsets[j];
        offsets_[2 * (start + j)] = bytes[std::min<size_t>(begin, bytes.size() - 1)];
        offsets_[2 * (start + j) + 1] = bytes[std::min<size_t>(end, bytes.size() - 1)];
      }
    }
    for (size_t j = 0; j < n; ++j) {
      ids_[start + j] = static_cast<int32_t>(encoding.ids[j]);
      mask_[start + j] = 1;
      type_ids_[start + j] = j < encoding.type_ids.size() ? static_cast<int32_t>(encoding.type_ids[j]) : 0;
      special_[start + j] = j < encoding.special_tokens_mask.size() ? encoding.special_tokens_mask[j] : 0;
    }
  }
  return Status::Ok();
}

namespace {

Napi::Int32Array ToInt32Array(Napi::Env env, const std::vector<int32_t>& values) {
  Napi::Int32Array array = Napi::Int32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), array.Data());
  return array;
}

}  // namespace

Napi::Value TokenizeWorker::Result(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("inputIds", ToInt32Array(env, ids_));
  result.Set("attentionMask", ToInt32Array(env, mask_));
  result.Set("tokenTypeIds", ToInt32Array(env, type_ids_));
  result.Set("specialTokensMask", ToInt32Array(env, special_));
  if (with_offsets_) {
    Napi::Uint32Array offsets = Napi::Uint32Array::New(env, offsets_.size());
    std::copy(offsets_.begin(), offsets_.end(), offsets.Data());
    result.Set("offsets", offsets);
  }
  result.Set("rows", Napi::Number::New(env, static_cast<double>(texts_.size())));
  result.Set("length", Napi::Number::New(env, static_cast<double>(length_)));
  return result;
}

Napi::Value SubmitTokenize(const Napi::CallbackInfo& info, ModelOwner* owner, std::shared_ptr<const tok::Tokenizer> tokenizer,
                           int64_t pad_id, bool pad_left, tok::TruncationSide truncation_side) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsNumber() || !(info[1].As<Napi::Number>().DoubleValue() >= 0)) {
    ThrowTypeError(env, "tokenize(texts, maxLength)");
  }
  const size_t max_length = static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue());
  bool offsets = false;
  bool add_special_tokens = true;
  if (info.Length() > 2 && info[2].IsObject()) {
    const Napi::Object options = info[2].As<Napi::Object>();
    offsets = options.Get("offsets").ToBoolean().Value();
    if (options.Has("addSpecialTokens")) add_special_tokens = options.Get("addSpecialTokens").ToBoolean().Value();
  }
  return owner->Submit(env, std::make_unique<TokenizeWorker>(env, std::move(tokenizer), TextsArg::Read(env, info[0], "texts"), max_length,
                                                                      pad_id, pad_left, truncation_side, offsets, add_special_tokens));
}

}  // namespace sk::napi
