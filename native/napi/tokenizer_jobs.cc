#include "napi/tokenizer_jobs.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "napi/errors.h"
#include "napi/texts_arg.h"

namespace sk::napi {
namespace {

// tokenize()'s optional third argument.
struct TokenizeOptions {
  bool offsets = false;
  bool add_special_tokens = true;
};

// padding=True: every row padded to the longest, on the side the tokenizer pads.
struct PaddedBatch {
  size_t rows = 0;
  size_t length = 0;
  std::vector<int32_t> ids, mask, type_ids;
  std::vector<int32_t> special;  // 1 where the post-processor added the token
  std::vector<uint32_t> offsets;  // with TokenizeOptions::offsets: byte offsets, two per token
};

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

Status Tokenize(const tok::Tokenizer& tokenizer, const std::vector<std::string>& texts, size_t max_length,
                const PaddingRule& padding, const TokenizeOptions& wanted, PaddedBatch* out) {
  tok::EncodeOptions options;
  options.max_length = max_length;
  options.side = padding.truncation_side;
  options.offsets = wanted.offsets;
  options.add_special_tokens = wanted.add_special_tokens;
  std::vector<tok::Encoding> encodings(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    SK_RETURN_IF_ERROR(tokenizer.Encode(texts[i], options, &encodings[i]));
    out->length = std::max(out->length, encodings[i].ids.size());
  }
  const size_t length = out->length;
  out->rows = texts.size();
  out->ids.assign(texts.size() * length, static_cast<int32_t>(padding.pad_id));
  out->mask.assign(texts.size() * length, 0);
  out->type_ids.assign(texts.size() * length, 0);
  out->special.assign(texts.size() * length, 0);
  if (wanted.offsets) out->offsets.assign(texts.size() * length * 2, 0);
  for (size_t i = 0; i < encodings.size(); ++i) {
    const tok::Encoding& encoding = encodings[i];
    const size_t n = encoding.ids.size();
    const size_t start = i * length + (padding.pad_left ? length - n : 0);
    if (wanted.offsets) {
      const std::vector<uint32_t> bytes = CodePointBytes(texts[i]);
      for (size_t j = 0; j < n && j < encoding.offsets.size(); ++j) {
        const auto [begin, end] = encoding.offsets[j];
        out->offsets[2 * (start + j)] = bytes[std::min<size_t>(begin, bytes.size() - 1)];
        out->offsets[2 * (start + j) + 1] = bytes[std::min<size_t>(end, bytes.size() - 1)];
      }
    }
    for (size_t j = 0; j < n; ++j) {
      out->ids[start + j] = static_cast<int32_t>(encoding.ids[j]);
      out->mask[start + j] = 1;
      out->type_ids[start + j] = j < encoding.type_ids.size() ? static_cast<int32_t>(encoding.type_ids[j]) : 0;
      out->special[start + j] = j < encoding.special_tokens_mask.size() ? encoding.special_tokens_mask[j] : 0;
    }
  }
  return Status::Ok();
}

Napi::Int32Array ToInt32Array(Napi::Env env, const std::vector<int32_t>& values) {
  Napi::Int32Array array = Napi::Int32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), array.Data());
  return array;
}

}  // namespace

JobSteps TokenizeSteps(const Napi::CallbackInfo& info, std::shared_ptr<const tok::Tokenizer> tokenizer,
                       PaddingRule padding) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsNumber() || !(info[1].As<Napi::Number>().DoubleValue() >= 0)) {
    ThrowTypeError(env, "tokenize(texts, maxLength)");
  }
  const size_t max_length = static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue());
  TokenizeOptions wanted;
  if (info.Length() > 2 && info[2].IsObject()) {
    const Napi::Object options = info[2].As<Napi::Object>();
    wanted.offsets = options.Get("offsets").ToBoolean().Value();
    if (options.Has("addSpecialTokens")) wanted.add_special_tokens = options.Get("addSpecialTokens").ToBoolean().Value();
  }
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  auto batch = std::make_shared<PaddedBatch>();
  return {[tokenizer = std::move(tokenizer), texts, max_length, padding, wanted, batch] {
            return Tokenize(*tokenizer, texts->Strings(), max_length, padding, wanted, batch.get());
          },
          [batch, wanted_offsets = wanted.offsets](Napi::Env env) -> Napi::Value {
            Napi::Object result = Napi::Object::New(env);
            result.Set("inputIds", ToInt32Array(env, batch->ids));
            result.Set("attentionMask", ToInt32Array(env, batch->mask));
            result.Set("tokenTypeIds", ToInt32Array(env, batch->type_ids));
            result.Set("specialTokensMask", ToInt32Array(env, batch->special));
            if (wanted_offsets) {
              Napi::Uint32Array offsets = Napi::Uint32Array::New(env, batch->offsets.size());
              std::copy(batch->offsets.begin(), batch->offsets.end(), offsets.Data());
              result.Set("offsets", offsets);
            }
            result.Set("rows", Napi::Number::New(env, static_cast<double>(batch->rows)));
            result.Set("length", Napi::Number::New(env, static_cast<double>(batch->length)));
            return result;
          }};
}

JobSteps DecodeSteps(const Napi::CallbackInfo& info, std::shared_ptr<const tok::Tokenizer> tokenizer) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsBoolean()) ThrowTypeError(env, "decode(ids: Int32Array[], skipSpecialTokens)");
  const Napi::Array list = info[0].As<Napi::Array>();
  auto rows = std::make_shared<std::vector<std::vector<int64_t>>>(list.Length());
  for (uint32_t r = 0; r < list.Length(); ++r) {
    const Napi::Value row = list.Get(r);
    if (!row.IsTypedArray() || row.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      ThrowTypeError(env, "decode(ids: Int32Array[], skipSpecialTokens)");
    }
    // Copied here, on the main thread: the caller may reuse its arrays once this returns.
    const Napi::Int32Array ids = row.As<Napi::Int32Array>();
    (*rows)[r].assign(ids.Data(), ids.Data() + ids.ElementLength());
  }
  const bool skip_special_tokens = info[1].As<Napi::Boolean>().Value();
  auto texts = std::make_shared<std::vector<std::string>>(rows->size());
  return {[tokenizer = std::move(tokenizer), rows, skip_special_tokens, texts] {
            for (size_t i = 0; i < rows->size(); ++i) {
              SK_RETURN_IF_ERROR(tokenizer->Decode((*rows)[i], skip_special_tokens, &(*texts)[i]));
            }
            return Status::Ok();
          },
          [texts](Napi::Env env) -> Napi::Value {
            Napi::Array result = Napi::Array::New(env, texts->size());
            for (size_t i = 0; i < texts->size(); ++i) result.Set(static_cast<uint32_t>(i), Napi::String::New(env, (*texts)[i]));
            return result;
          }};
}

}  // namespace sk::napi
