// JavaScript faces of the two sparse routes, one surface for both (`vocabSize`,
// `encode(texts, batchSize, maxActiveDims, maxLength?)` and `encodeIds(ids, counts, batchSize,
// maxActiveDims, maxLength?)` resolving to compressed sparse rows { indices: Int32Array,
// values: Float32Array, offsets: Int32Array }, `idsToTokens(ids)`, `decode(ids,
// skipSpecialTokens)`, `dispose()`), so lib/ routes queries and documents alike:
// - pipeline::SparseEncoderModel (SPLADE), `loadSparseEncoder(options)`, runs on its owner thread;
// - pipeline::StaticSparseEncoderModel (the inference-free idf route),
//   `loadStaticSparseEncoder(options)`, runs on the libuv pool: no model runs, a tokenizer and a
//   weight lookup.
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
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
#include "pipeline/sparse_encoder.h"
#include "pipeline/static_sparse_encoder.h"

namespace sk::napi {
namespace {

using SpladeWrap = ModelWrap<pipeline::SparseEncoderModel>;
using StaticWrap = ModelWrap<pipeline::StaticSparseEncoderModel>;

SpladeWrap::Loader ReadSpladeLoader(const Napi::Object& options) {
  const pipeline::ModelFiles files = ReadModelFiles(options);
  // spladeActivation: 'relu' (default) | 'log1p_relu', validated in lib/.
  const pipeline::SpladeActivation activation =
      options.Has("spladeActivation") && GetString(options, "spladeActivation") == "log1p_relu"
          ? pipeline::SpladeActivation::kLog1pRelu
          : pipeline::SpladeActivation::kRelu;
  const pipeline::Placement placement = ReadPlacement(options);
  return [files, activation, placement](std::unique_ptr<pipeline::SparseEncoderModel>* out) {
    return pipeline::SparseEncoderModel::Load(files, placement, out, activation);
  };
}

// loadStaticSparseEncoder({ tokenizerPath, tokenizerJson?, maxLength /* 0 = no truncation */, weights: Float32Array })
StaticWrap::Loader ReadStaticLoader(const Napi::Object& options) {
  Napi::Env env = options.Env();
  pipeline::StaticSparseFiles files;
  ReadStaticTokenizer(options, &files);
  const Napi::Value weights = options.Get("weights");
  if (!weights.IsTypedArray() || weights.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    ThrowTypeError(env, "weights must be a Float32Array");
  }
  // Copied once at load: the model outlives the caller's array.
  const Napi::Float32Array array = weights.As<Napi::Float32Array>();
  files.weights.assign(array.Data(), array.Data() + array.ElementLength());
  return [files = std::move(files)](std::unique_ptr<pipeline::StaticSparseEncoderModel>* out) mutable {
    return pipeline::StaticSparseEncoderModel::Load(std::move(files), out);
  };
}

// The sizes are only known after the run, so the result is copied once into typed arrays.
Napi::Value SparseRowsToObject(Napi::Env env, const pipeline::SparseRows& rows) {
  Napi::Int32Array indices = Napi::Int32Array::New(env, rows.indices.size());
  if (!rows.indices.empty()) std::memcpy(indices.Data(), rows.indices.data(), rows.indices.size() * sizeof(int32_t));
  Napi::Float32Array values = Napi::Float32Array::New(env, rows.values.size());
  if (!rows.values.empty()) std::memcpy(values.Data(), rows.values.data(), rows.values.size() * sizeof(float));
  Napi::Int32Array offsets = Napi::Int32Array::New(env, rows.offsets.size());
  for (size_t i = 0; i < rows.offsets.size(); ++i) offsets[i] = static_cast<int32_t>(rows.offsets[i]);
  Napi::Object result = Napi::Object::New(env);
  result.Set("indices", indices);
  result.Set("values", values);
  result.Set("offsets", offsets);
  return result;
}

// encode()'s and encodeIds()' numbers from info[at]: batchSize, maxActiveDims (0 = all),
// maxLength?. A static route runs no model, so batchSize and maxLength change nothing there (as
// in Python's SparseStaticEmbedding); it takes them so both routes have one signature.
struct SparseArgs {
  size_t batch_size;
  size_t max_active_dims;
  size_t max_length;
};

template <bool kStatic>
SparseArgs ReadSparseArgs(const Napi::CallbackInfo& info, size_t at, const char* signature) {
  Napi::Env env = info.Env();
  if (info.Length() < at + 2 || !info[at].IsNumber() || !info[at + 1].IsNumber()) ThrowTypeError(env, signature);
  const double batch_size = info[at].As<Napi::Number>().DoubleValue();
  const double max_active_dims = info[at + 1].As<Napi::Number>().DoubleValue();
  if constexpr (kStatic) {
    if (!(max_active_dims >= 0)) ThrowTypeError(env, "maxActiveDims must be non-negative");
  } else if (!(batch_size >= 1) || !(max_active_dims >= 0)) {
    ThrowTypeError(env, "batchSize must be positive, maxActiveDims non-negative");
  }
  return {kStatic ? 0 : static_cast<size_t>(batch_size), static_cast<size_t>(max_active_dims),
          kStatic ? 0 : ReadMaxLength(env, info[at + 2])};
}

// The run of `encode` (returning Status, writing SparseRows) as a job resolving to the rows.
template <typename Model, typename Run>
Napi::Value StartSparse(Napi::Env env, ModelWrap<Model>& wrap, Run run) {
  auto rows = std::make_shared<pipeline::SparseRows>();
  return wrap.Start(env, {[run, rows] {
                            SK_RETURN_IF_ERROR(run(rows.get()));
                            if (rows->indices.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
                              return InvalidArgument("too many active dimensions in one call; encode fewer texts at a time");
                            }
                            return Status::Ok();
                          },
                          [rows](Napi::Env env) { return SparseRowsToObject(env, *rows); }});
}

// encode(texts: Texts (napi/texts_arg.h), batchSize: number, maxActiveDims: number, maxLength?: number).
template <typename Model>
Napi::Value Encode(const Napi::CallbackInfo& info, ModelWrap<Model>& wrap) {
  constexpr bool kStatic = std::is_same_v<Model, pipeline::StaticSparseEncoderModel>;
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  const SparseArgs args = ReadSparseArgs<kStatic>(info, 1, "encode(texts, batchSize, maxActiveDims)");
  auto texts = std::make_shared<TextsArg>(TextsArg::Read(env, info[0], "texts"));
  return StartSparse(env, wrap, [model = wrap.model(), texts, args](pipeline::SparseRows* rows) {
    if constexpr (kStatic) {
      return model->Encode(texts->Strings(), args.max_active_dims, rows);
    } else {
      return model->Encode(texts->Strings(), args.batch_size, args.max_active_dims, args.max_length, rows);
    }
  });
}

// encodeIds(ids: Int32Array, counts: Int32Array, batchSize, maxActiveDims, maxLength?): encode()
// from token ids, each row taken as final (pipeline/token_id_input.h).
template <typename Model>
Napi::Value EncodeIds(const Napi::CallbackInfo& info, ModelWrap<Model>& wrap) {
  constexpr bool kStatic = std::is_same_v<Model, pipeline::StaticSparseEncoderModel>;
  Napi::Env env = info.Env();
  if (!wrap.model()) return RejectDisposed(env);
  constexpr const char* kSignature = "encodeIds(ids: Int32Array, counts: Int32Array, batchSize, maxActiveDims, maxLength?)";
  auto ids = std::make_shared<std::vector<std::vector<int64_t>>>(ReadTokenIdRows(info, 0, kSignature));
  const SparseArgs args = ReadSparseArgs<kStatic>(info, 2, kSignature);
  return StartSparse(env, wrap, [model = wrap.model(), ids, args](pipeline::SparseRows* rows) {
    if constexpr (kStatic) {
      return model->EncodeIds(*ids, args.max_active_dims, rows);
    } else {
      return model->EncodeIds(*ids, args.batch_size, args.max_active_dims, args.max_length, rows);
    }
  });
}

// vocabSize and idsToTokens: both models are a tokenizer plus one output per vocabulary id, so
// both answer them, synchronously (a lookup costs less than a job).

// idsToTokens(ids: Int32Array): (string | null)[], null for an id outside the vocabulary.
// Throws ERR_DISPOSED once the model is disposed.
template <typename Model>
Napi::Value IdsToTokens(const Napi::CallbackInfo& info, ModelWrap<Model>& wrap) {
  Napi::Env env = info.Env();
  if (!wrap.model()) throw StatusToError(env, Status(StatusCode::kDisposed, "the model has been disposed"));
  if (info.Length() < 1 || !info[0].IsTypedArray()) ThrowTypeError(env, "idsToTokens(ids: Int32Array)");
  Napi::Int32Array ids = info[0].As<Napi::Int32Array>();
  Napi::Array tokens = Napi::Array::New(env, ids.ElementLength());
  for (size_t i = 0; i < ids.ElementLength(); ++i) {
    std::optional<std::string> token = wrap.model()->tokenizer().IdToToken(ids[i]);
    tokens.Set(static_cast<uint32_t>(i), token ? Napi::Value(Napi::String::New(env, *token)) : env.Null());
  }
  return tokens;
}

// decode(ids: Int32Array[], skipSpecialTokens) (napi/tokenizer_jobs.h): what the server decodes
// token-id inputs given with a prompt with, as TEI does. The tokenizer pointer aliases the
// model, keeping it alive while the job waits.
template <typename Model>
Napi::Value Decode(const Napi::CallbackInfo& info, ModelWrap<Model>& wrap) {
  if (!wrap.model()) return RejectDisposed(info.Env());
  return wrap.Start(info.Env(), DecodeSteps(info, std::shared_ptr<const tok::Tokenizer>(wrap.model(), &wrap.model()->tokenizer())));
}

template <typename Model, typename ModelWrap<Model>::ReadLoader Read>
void DefineSparse(Napi::Env env, Napi::Object exports, const char* class_name, const char* load_name,
                  const char* owner_thread) {
  using Wrap = ModelWrap<Model>;
  Wrap::template Define<Read>(env, exports, class_name, load_name, owner_thread,
               {Wrap::template Size<&Model::vocab_size>("vocabSize"), Wrap::template Method<Encode<Model>>("encode"),
                Wrap::template Method<EncodeIds<Model>>("encodeIds"),
                Wrap::template Method<IdsToTokens<Model>>("idsToTokens"), Wrap::template Method<Decode<Model>>("decode")});
}

}  // namespace

void InitSparseEncoders(Napi::Env env, Napi::Object exports) {
  DefineSparse<pipeline::SparseEncoderModel, ReadSpladeLoader>(env, exports, "NativeSparseEncoder", "loadSparseEncoder",
                                                                "sentencekit:model");
  DefineSparse<pipeline::StaticSparseEncoderModel, ReadStaticLoader>(env, exports, "NativeStaticSparseEncoder",
                                                                     "loadStaticSparseEncoder", nullptr);
}

}  // namespace sk::napi
