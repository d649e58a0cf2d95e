#include "napi/search_worker.h"

#include <limits>
#include <string>

#include "kernels/search.h"
#include "napi/errors.h"

namespace sk::napi {

SearchWorker::SearchWorker(Napi::Env env, std::vector<Napi::Value> keep_alive, Job job)
    : PromiseWorker(env, "sentencekit:search"), job_(std::move(job)) {
  for (const Napi::Value& value : keep_alive) keep_alive_.push_back(Napi::Persistent(value));
}

Napi::Value SearchWorker::Result(Napi::Env env) {
  Napi::Int32Array ids = Napi::Int32Array::New(env, result_.ids.size());
  for (size_t i = 0; i < result_.ids.size(); ++i) ids[i] = static_cast<int32_t>(result_.ids[i]);
  Napi::Float32Array values = Napi::Float32Array::New(env, result_.values.size());
  std::copy(result_.values.begin(), result_.values.end(), values.Data());
  Napi::Object out = Napi::Object::New(env);
  out.Set("ids", ids);
  out.Set("scores", values);
  out.Set("perQuery", Napi::Number::New(env, static_cast<double>(result_.per_row)));
  return out;
}

namespace {

// A borrowed view of a TypedArray of the expected element type and at least `count` elements.
template <typename T>
const T* View(Napi::Env env, const Napi::Value& value, napi_typedarray_type type, size_t count, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    ThrowTypeError(env, std::string("unexpected array type for ") + what);
  }
  Napi::TypedArrayOf<T> array = value.As<Napi::TypedArrayOf<T>>();
  if (array.ElementLength() < count) ThrowTypeError(env, std::string(what) + " is shorter than its shape");
  return array.Data();
}

size_t Size(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber()) ThrowTypeError(info.Env(), std::string("expected a number for ") + what);
  const double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value > static_cast<double>(std::numeric_limits<int32_t>::max())) {
    ThrowTypeError(info.Env(), std::string(what) + " out of range");
  }
  return static_cast<size_t>(value);
}

Napi::Promise Start(Napi::Env env, std::vector<Napi::Value> keep_alive, SearchWorker::Job job) {
  auto* worker = new SearchWorker(env, std::move(keep_alive), std::move(job));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// semanticSearch(queries, numQueries, corpus, corpusRows, dim, topK, score, queryChunk, corpusChunk)
Napi::Value SemanticSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t nq = Size(info, 1, "numQueries"), nc = Size(info, 3, "corpusRows"), dim = Size(info, 4, "dim");
  const float* queries = View<float>(env, info[0], napi_float32_array, nq * dim, "queries");
  const float* corpus = View<float>(env, info[2], napi_float32_array, nc * dim, "corpus");
  kernels::SearchOptions options;
  options.top_k = Size(info, 5, "topK");
  const std::string score = info[6].ToString().Utf8Value();
  options.query_chunk_size = Size(info, 7, "queryChunkSize");
  options.corpus_chunk_size = Size(info, 8, "corpusChunkSize");
  const kernels::SearchScore kind = score == "dot" ? kernels::SearchScore::kDot : kernels::SearchScore::kCosine;
  return Start(env, {info[0], info[2]}, [=](SearchResult* out) {
    out->per_row = kernels::ResultsPerQuery(options.top_k, nc);
    out->ids.resize(nq * out->per_row);
    out->values.resize(nq * out->per_row);
    return kernels::SearchFloat32(queries, nq, corpus, nc, dim, kind, options, out->ids.data(), out->values.data());
  });
}

// A quantized search over rows of `width` elements of T whose kernel returns int32 scores:
// searchInt8 (dot products, best first) and searchHamming (distances, smallest first).
template <typename T, typename Kernel>
Napi::Value QuantizedSearch(const Napi::CallbackInfo& info, napi_typedarray_type type, Kernel kernel) {
  Napi::Env env = info.Env();
  const size_t nq = Size(info, 1, "numQueries"), nc = Size(info, 3, "corpusRows"), width = Size(info, 4, "row width");
  const T* queries = View<T>(env, info[0], type, nq * width, "queries");
  const T* corpus = View<T>(env, info[2], type, nc * width, "corpus");
  kernels::SearchOptions options;
  options.top_k = Size(info, 5, "topK");
  return Start(env, {info[0], info[2]}, [=](SearchResult* out) {
    out->per_row = kernels::ResultsPerQuery(options.top_k, nc);
    out->ids.resize(nq * out->per_row);
    std::vector<int32_t> scores(nq * out->per_row);
    Status status = kernel(queries, nq, corpus, nc, width, options, out->ids.data(), scores.data());
    out->values.assign(scores.begin(), scores.end());
    return status;
  });
}

// searchInt8(queries, numQueries, corpus, corpusRows, dim, topK)
Napi::Value SearchInt8(const Napi::CallbackInfo& info) {
  return QuantizedSearch<int8_t>(info, napi_int8_array, kernels::SearchInt8);
}

// searchHamming(queries, numQueries, corpus, corpusRows, bytes, topK): packed bits.
Napi::Value SearchHamming(const Napi::CallbackInfo& info) {
  return QuantizedSearch<uint8_t>(info, napi_uint8_array, kernels::SearchHamming);
}

// rescore(queries, numQueries, dim, candidates: Int32Array, perQuery, corpus, corpusRows, kind, topK)
// kind: 'float32' (Float32Array rows), 'int8' (Int8Array rows), 'ubinary' (packed Uint8Array rows).
Napi::Value Rescore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t nq = Size(info, 1, "numQueries"), dim = Size(info, 2, "dim"), per_query = Size(info, 4, "perQuery");
  const size_t nc = Size(info, 6, "corpusRows"), top_k = Size(info, 8, "topK");
  const float* queries = View<float>(env, info[0], napi_float32_array, nq * dim, "queries");
  const int32_t* candidates32 = View<int32_t>(env, info[3], napi_int32_array, nq * per_query, "candidates");
  const std::string kind_name = info[7].ToString().Utf8Value();
  kernels::RescoreCorpus kind = kernels::RescoreCorpus::kFloat32;
  const void* corpus = nullptr;
  if (kind_name == "float32") {
    corpus = View<float>(env, info[5], napi_float32_array, nc * dim, "corpus");
  } else if (kind_name == "int8") {
    kind = kernels::RescoreCorpus::kInt8;
    corpus = View<int8_t>(env, info[5], napi_int8_array, nc * dim, "corpus");
  } else if (kind_name == "ubinary") {
    kind = kernels::RescoreCorpus::kUnpackedBits;
    corpus = View<uint8_t>(env, info[5], napi_uint8_array, nc * ((dim + 7) / 8), "corpus");
  } else {
    ThrowTypeError(env, "rescore kind must be float32, int8 or ubinary");
  }
  return Start(env, {info[0], info[3], info[5]}, [=](SearchResult* out) {
    std::vector<int64_t> candidates(candidates32, candidates32 + nq * per_query);
    out->per_row = std::min(top_k, per_query);
    out->ids.resize(nq * out->per_row);
    out->values.resize(nq * out->per_row);
    return kernels::RescoreCandidates(queries, nq, dim, candidates.data(), per_query, corpus, nc, kind, top_k,
                                      out->ids.data(), out->values.data());
  });
}

}  // namespace

void InitSearch(Napi::Env env, Napi::Object exports) {
  exports.Set("semanticSearch", Napi::Function::New(env, SemanticSearch, "semanticSearch"));
  exports.Set("searchInt8", Napi::Function::New(env, SearchInt8, "searchInt8"));
  exports.Set("searchHamming", Napi::Function::New(env, SearchHamming, "searchHamming"));
  exports.Set("rescore", Napi::Function::New(env, Rescore, "rescore"));
}

}  // namespace sk::napi
