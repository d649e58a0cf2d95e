// JavaScript face of pipeline::StaticEmbeddingModel: `loadStaticEmbedding(options)` resolves to
// an instance with the sentence encoder's surface (`dimension`, `hiddenSize`,
// `encode(texts, options)`, `promptLength`, `tokenize`, `encodeTokens`, `decode`, `ioStats`,
// `dispose()`), so SentenceTransformer runs either through the same scheduling; encode() runs on
// the model's owner thread. tokenize() and decode() are the tokenizer jobs (napi/tokenizer_jobs.h)
// on the model's tokenizer; encodeTokens() rejects: Python's StaticEmbedding has no token embeddings.
#include <memory>
#include <string>
#include <utility>

#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/model_bindings.h"
#include "napi/model_options.h"
#include "napi/model_wrap.h"
#include "napi/texts_arg.h"
#include "napi/tokenizer_jobs.h"
#include "pipeline/static_embedding.h"

namespace sk::napi {
namespace {

using Wrap = ModelWrap<pipeline::StaticEmbeddingModel>;

// loadStaticEmbedding({ tokenizerPath, tokenizerJson?, weightsPath, table?: { data: Float32Array, rows, dimension },
//   maxLength, truncateLeft, dense?, normalizeModule }); `table` is a pytorch_model.bin's table lib/ read.
Wrap::Loader ReadLoader(const Napi::Object& options) {
  pipeline::StaticEmbeddingFiles files;
  ReadStaticTokenizer(options, &files);
  files.weights_path = GetString(options, "weightsPath");
  if (options.Get("table").IsObject()) {
    const Napi::Object table = options.Get("table").As<Napi::Object>();
    files.table = CopyFloats(options.Env(), table.Get("data"), "the StaticEmbedding table");
    files.table_rows = static_cast<size_t>(GetNumber(table, "rows", 0));
    files.table_dim = static_cast<size_t>(GetNumber(table, "dimension", 0));
  }
  files.dense = ReadDenseLayers(options);
  files.truncate_left = GetBool(options, "truncateLeft", false);
  files.normalize_module = GetBool(options, "normalizeModule", false);
  return [files](std::unique_ptr<pipeline::StaticEmbeddingModel>* out) {
    return pipeline::StaticEmbeddingModel::Load(files, out);
  };
}

// encode(texts: Texts (napi/texts_arg.h), { normalize, truncateDim }): Promise<Float32Array>, every
// text's mean row written straight into it. The sentence encoder's other options (batch sizes,
// promptTokens, maxLength) mean nothing here: no batch is padded, no pooling leaves a prompt
// out, and only tokenizer.json truncates.
Napi::Value Encode(const Napi::CallbackInfo& info, Wrap& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  if (info.Length() < 2 || !info[1].IsObject()) ThrowTypeError(env, "encode(texts, options)");
  const Napi::Object options = info[1].As<Napi::Object>();
  const double truncate_dim = GetNumber(options, "truncateDim", 0);
  if (!(truncate_dim >= 0)) ThrowTypeError(env, "truncateDim must be non-negative");
  pipeline::StaticEncodeParams params;
  params.normalize = GetBool(options, "normalize", false);
  params.truncate_dim = static_cast<size_t>(truncate_dim);
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  const size_t length = texts->size() * wrap.model()->OutputDimension(params.truncate_dim);
  return wrap.Start(env, FloatArraySteps(env, length, [model = wrap.model(), texts, params](float* rows) {
                      return model->Encode(texts->Strings(), params, rows);
                    }));
}

// No pooling module can leave a prompt out of a StaticEmbedding's mean.
Napi::Value PromptLength(const Napi::CallbackInfo& info, Wrap&) { return Napi::Number::New(info.Env(), 0); }

Napi::Value Reject(const Napi::CallbackInfo& info, const Wrap& wrap, const std::string& message) {
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(StatusToError(env, InvalidArgument(message)).Value());
  return deferred.Promise();
}

// Aliasing: the tokenizer pointer keeps the whole model alive while a job waits.
std::shared_ptr<const tok::Tokenizer> SharedTokenizer(const Wrap& wrap) {
  return std::shared_ptr<const tok::Tokenizer>(wrap.model(), &wrap.model()->tokenizer());
}

// tokenize(texts, maxLength, { addSpecialTokens: false }): lib/ passes tokenizer.json's own
// truncation, so the rows hold StaticEmbedding.preprocess's ids, padded with the pad id.
Napi::Value Tokenize(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  const pipeline::StaticEmbeddingModel& model = *wrap.model();
  return wrap.Start(info.Env(), TokenizeSteps(info, SharedTokenizer(wrap),
                                              PaddingRule{model.tokenizer().PadId(), false, model.encode_options().side}));
}

Napi::Value EncodeTokens(const Napi::CallbackInfo& info, Wrap& wrap) {
  return Reject(info, wrap, "a StaticEmbedding model has no token embeddings (its output is the mean of its table's rows)");
}

Napi::Value Decode(const Napi::CallbackInfo& info, Wrap& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  return wrap.Start(info.Env(), DecodeSteps(info, SharedTokenizer(wrap)));
}

// No ONNX Runtime tensors: always zeros.
Napi::Value IoStats(const Napi::CallbackInfo& info, Wrap&) {
  Napi::Env env = info.Env();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("runs", Napi::Number::New(env, 0));
  stats.Set("tensorsCreated", Napi::Number::New(env, 0));
  stats.Set("bufferGrowths", Napi::Number::New(env, 0));
  return stats;
}

}  // namespace

void InitStaticEmbedding(Napi::Env env, Napi::Object exports) {
  Wrap::Define<ReadLoader>(env, exports, "NativeStaticEmbedding", "loadStaticEmbedding", "sentencekit:static-embedding",
               {Wrap::Size<&pipeline::StaticEmbeddingModel::dimension>("dimension"),
                Wrap::Size<&pipeline::StaticEmbeddingModel::dimension>("hiddenSize"),
                Wrap::Method<Encode>("encode"), Wrap::Method<PromptLength>("promptLength"),
                Wrap::Method<Tokenize>("tokenize"), Wrap::Method<EncodeTokens>("encodeTokens"),
                Wrap::Method<Decode>("decode"), Wrap::Method<IoStats>("ioStats")});
}

}  // namespace sk::napi
