// JavaScript face of pipeline::SentenceEncoder: `loadSentenceEncoder(options)` resolves to an
// instance with `dimension`, `hiddenSize`, `vocabSize`, `encode(texts, options)`,
// `encodeIds(ids, counts, options)`, `encodeTokens`, `encodeTokenIds`, `promptLength(prompt)`,
// `tokenize(texts, maxLength)`, `decode`, `ioStats()` and `dispose()`; every run on the model's
// owner thread.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/model_bindings.h"
#include "napi/model_options.h"
#include "napi/model_wrap.h"
#include "napi/texts_arg.h"
#include "napi/token_id_rows.h"
#include "napi/tokenizer_jobs.h"
#include "pipeline/sentence_encoder.h"

namespace sk::napi {
namespace {

using Wrap = ModelWrap<pipeline::SentenceEncoder>;

// loadSentenceEncoder({ ...model files, pooling: string[], dense?: DenseLayer[], normalizeModule? })
Wrap::Loader ReadLoader(const Napi::Object& options) {
  Napi::Env env = options.Env();
  pipeline::SentenceEncoderConfig config;
  config.files = ReadModelFiles(options);
  config.pooling.modes.clear();
  for (const std::string& name : GetStringArray(options, "pooling")) {
    pipeline::PoolingMode mode;
    Status status = pipeline::ParsePoolingMode(name, &mode);
    if (!status.ok()) ThrowTypeError(env, status.message());
    config.pooling.modes.push_back(mode);
  }
  config.normalize_module = GetBool(options, "normalizeModule", false);
  config.placement = ReadPlacement(options);
  config.dense = ReadDenseLayers(options);
  return [config](std::unique_ptr<pipeline::SentenceEncoder>* out) {
    return pipeline::SentenceEncoder::Load(config, out);
  };
}

// encode()'s and encodeIds()' options: { batchSize, normalize, truncateDim, promptTokens,
// maxBatchTokens?, maxPadding?, maxLength?, truncationSide? }.
pipeline::EncodeParams ReadEncodeParams(Napi::Env env, const Napi::Object& options) {
  pipeline::EncodeParams params;
  const double batch_size = GetNumber(options, "batchSize", 32);
  const double truncate_dim = GetNumber(options, "truncateDim", 0);
  const double prompt_tokens = GetNumber(options, "promptTokens", 0);
  if (!(batch_size >= 1) || !(truncate_dim >= 0) || !(prompt_tokens >= 0)) {
    ThrowTypeError(env, "batchSize must be positive; truncateDim and promptTokens non-negative");
  }
  params.batch_size = static_cast<size_t>(batch_size);
  params.normalize = GetBool(options, "normalize", false);
  params.truncate_dim = static_cast<size_t>(truncate_dim);
  params.max_batch_tokens = static_cast<size_t>(std::max(0.0, GetNumber(options, "maxBatchTokens", 0)));
  params.prompt_tokens = static_cast<size_t>(prompt_tokens);
  params.max_length = ReadMaxLength(env, options.Get("maxLength"));
  const double max_padding = GetNumber(options, "maxPadding", 1);
  if (!(max_padding >= 0 && max_padding <= 1)) ThrowTypeError(env, "maxPadding must be in [0, 1]");
  params.max_padding = max_padding;
  params.truncation_side = ReadSide(options, "truncationSide");
  return params;
}

// encode(texts: Texts (napi/texts_arg.h), options (ReadEncodeParams)): Promise<Float32Array>,
// tokenization, the run, pooling and normalization written straight into it.
Napi::Value Encode(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  if (info.Length() < 2 || !info[1].IsObject()) ThrowTypeError(env, "encode(texts, options)");
  const pipeline::EncodeParams params = ReadEncodeParams(env, info[1].As<Napi::Object>());
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  const size_t length = texts->size() * wrap.model()->OutputDimension(params);
  return wrap.Start(env, FloatArraySteps(env, length, [model = wrap.model(), texts, params](float* rows) {
                      return model->Encode(texts->Strings(), params, rows);
                    }));
}

// encodeIds(ids: Int32Array, counts: Int32Array, options (ReadEncodeParams)): Promise<Float32Array>,
// encode() from token ids: row r is the next counts[r] of `ids`, taken as final
// (SentenceEncoder::EncodeIds). Copied here, so the caller may reuse its arrays at once.
Napi::Value EncodeIds(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  constexpr const char* kSignature = "encodeIds(ids: Int32Array, counts: Int32Array, options)";
  auto rows = std::make_shared<std::vector<std::vector<int64_t>>>(ReadTokenIdRows(info, 0, kSignature));
  if (info.Length() < 3 || !info[2].IsObject()) ThrowTypeError(env, kSignature);
  const pipeline::EncodeParams params = ReadEncodeParams(env, info[2].As<Napi::Object>());
  const size_t length = rows->size() * wrap.model()->OutputDimension(params);
  return wrap.Start(env, FloatArraySteps(env, length, [model = wrap.model(), rows, params](float* out) {
                      return model->EncodeIds(*rows, params, out);
                    }));
}

// Every input's unpadded transformer outputs, as encodeTokens() and encodeTokenIds() resolve.
struct TokenRows {
  std::vector<float> data;
  std::vector<int32_t> counts;
};

// The total size is known only after the run, so the result is copied once.
Napi::Value TokenRowsToObject(Napi::Env env, const TokenRows& tokens) {
  Napi::Float32Array data = Napi::Float32Array::New(env, tokens.data.size());
  std::copy(tokens.data.begin(), tokens.data.end(), data.Data());
  Napi::Int32Array counts = Napi::Int32Array::New(env, tokens.counts.size());
  std::copy(tokens.counts.begin(), tokens.counts.end(), counts.Data());
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", data);
  result.Set("tokenCounts", counts);
  return result;
}

// encodeTokens()' and encodeTokenIds()' trailing arguments from info[at]: batchSize,
// maxLength?, options?: { truncationSide? }.
struct TokenArgs {
  size_t batch_size;
  size_t max_length;
  pipeline::TokenizerSide side;
};

TokenArgs ReadTokenArgs(const Napi::CallbackInfo& info, size_t at, const char* signature) {
  Napi::Env env = info.Env();
  if (info.Length() <= at || !info[at].IsNumber() || !(info[at].As<Napi::Number>().DoubleValue() >= 1)) {
    ThrowTypeError(env, signature);
  }
  return {static_cast<size_t>(info[at].As<Napi::Number>().DoubleValue()), ReadMaxLength(env, info[at + 1]),
          info.Length() > at + 2 && info[at + 2].IsObject() ? ReadSide(info[at + 2].As<Napi::Object>(), "truncationSide")
                                                           : pipeline::TokenizerSide::kTokenizer};
}

// encodeTokens(texts: Texts, batchSize: number, maxLength?: number, options?: { truncationSide? }):
// Promise<{ data, tokenCounts }>, output_value="token_embeddings": every text's unpadded
// transformer outputs.
Napi::Value EncodeTokens(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  const TokenArgs args = ReadTokenArgs(info, 1, "encodeTokens(texts, batchSize, maxLength?, options?)");
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  auto tokens = std::make_shared<TokenRows>();
  return wrap.Start(env, {[model = wrap.model(), texts, args, tokens] {
                            return model->EncodeTokens(texts->Strings(), args.batch_size, args.max_length, &tokens->data,
                                                       &tokens->counts, args.side);
                          },
                          [tokens](Napi::Env env) { return TokenRowsToObject(env, *tokens); }});
}

// encodeTokenIds(ids: Int32Array, counts: Int32Array, batchSize, maxLength?, options?): encodeTokens()
// from token ids, each row taken as final (SentenceEncoder::EncodeTokenIds).
Napi::Value EncodeTokenIds(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  constexpr const char* kSignature = "encodeTokenIds(ids: Int32Array, counts: Int32Array, batchSize, maxLength?, options?)";
  auto rows = std::make_shared<std::vector<std::vector<int64_t>>>(ReadTokenIdRows(info, 0, kSignature));
  const TokenArgs args = ReadTokenArgs(info, 2, kSignature);
  auto tokens = std::make_shared<TokenRows>();
  return wrap.Start(env, {[model = wrap.model(), rows, args, tokens] {
                            return model->EncodeTokenIds(*rows, args.batch_size, args.max_length, &tokens->data,
                                                         &tokens->counts, args.side);
                          },
                          [tokens](Napi::Env env) { return TokenRowsToObject(env, *tokens); }});
}

// promptLength(prompt): the prompt's tokens with special tokens but without a trailing one
// ([SEP], </s>), as sentence-transformers measures prompts for include_prompt: false.
Napi::Value PromptLength(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) throw StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed"));
  if (info.Length() < 1 || !info[0].IsString()) ThrowTypeError(env, "promptLength(prompt)");
  sk::tok::Encoding encoding;
  Status status = wrap.model()->tokenizer().Encode(info[0].As<Napi::String>().Utf8Value(), {}, &encoding);
  if (!status.ok()) throw StatusToError(env, status);
  size_t length = encoding.ids.size();
  if (length > 0 && encoding.special_tokens_mask.back() != 0) length -= 1;
  return Napi::Number::New(env, static_cast<double>(length));
}

// Aliasing: the tokenizer pointer keeps the whole encoder alive while a job waits.
std::shared_ptr<const tok::Tokenizer> SharedTokenizer(const Wrap& wrap) {
  return std::shared_ptr<const tok::Tokenizer>(wrap.model(), &wrap.model()->tokenizer());
}

// tokenize(texts, maxLength) (napi/tokenizer_jobs.h).
Napi::Value Tokenize(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  const pipeline::SentenceEncoder& model = *wrap.model();
  return wrap.Start(info.Env(), TokenizeSteps(info, SharedTokenizer(wrap),
                                              PaddingRule{model.pad_id(), model.pads_left(), model.truncation_side()}));
}

// decode(ids, skipSpecialTokens) (napi/tokenizer_jobs.h).
Napi::Value Decode(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  return wrap.Start(info.Env(), DecodeSteps(info, SharedTokenizer(wrap)));
}

// ioStats(): { runs, tensorsCreated, bufferGrowths } since the model loaded (see ort::IoCounters).
Napi::Value IoStats(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) throw StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed"));
  const ort::IoCounters counters = wrap.model()->IoCounters();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("runs", Napi::Number::New(env, static_cast<double>(counters.runs)));
  stats.Set("tensorsCreated", Napi::Number::New(env, static_cast<double>(counters.tensors_created)));
  stats.Set("bufferGrowths", Napi::Number::New(env, static_cast<double>(counters.buffer_growths)));
  return stats;
}

}  // namespace

void InitSentenceEncoder(Napi::Env env, Napi::Object exports) {
  Wrap::Define<ReadLoader>(env, exports, "NativeSentenceEncoder", "loadSentenceEncoder", "sentencekit:model",
               {Wrap::Size<&pipeline::SentenceEncoder::dimension>("dimension"),
                Wrap::Size<&pipeline::SentenceEncoder::hidden_size>("hiddenSize"),
                Wrap::Size<&pipeline::SentenceEncoder::vocab_size>("vocabSize"),
                Wrap::Method<Encode>("encode"), Wrap::Method<EncodeIds>("encodeIds"), Wrap::Method<PromptLength>("promptLength"),
                Wrap::Method<Tokenize>("tokenize"), Wrap::Method<Decode>("decode"),
                Wrap::Method<EncodeTokens>("encodeTokens"), Wrap::Method<EncodeTokenIds>("encodeTokenIds"), Wrap::Method<IoStats>("ioStats")});
}

}  // namespace sk::napi
