#include "napi/search_worker.h"

#include <string>

#include "kernels/search.h"
#include "napi/errors.h"
#include "napi/kernel_args.h"

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

Napi::Promise Start(Napi::Env env, std::vector<Napi::Value> keep_alive, SearchWorker::Job job) {
  auto* worker = new SearchWorker(env, std::move(keep_alive), std::move(job));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// semanticSearch(queries, numQueries, corpus, corpusRows, dim, topK, score, queryChunk, corpusChunk, threads?)
Napi::Value SemanticSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t nq = SizeArg(info, 1, "numQueries"), nc = SizeArg(info, 3, "corpusRows"), dim = SizeArg(info, 4, "dim");
  const float* queries = TypedArrayArg<float>(env, info[0], nq * dim, "queries");
  const float* corpus = TypedArrayArg<float>(env, info[2], nc * dim, "corpus");
  kernels::SearchOptions options;
  options.top_k = SizeArg(info, 5, "topK");
  const std::string score = info[6].ToString().Utf8Value();
  options.query_chunk_size = SizeArg(info, 7, "queryChunkSize");
  options.corpus_chunk_size = SizeArg(info, 8, "corpusChunkSize");
  options.pool = ThreadsArg(info, 9);
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
Napi::Value QuantizedSearch(const Napi::CallbackInfo& info, Kernel kernel) {
  Napi::Env env = info.Env();
  const size_t nq = SizeArg(info, 1, "numQueries"), nc = SizeArg(info, 3, "corpusRows"), width = SizeArg(info, 4, "row width");
  const T* queries = TypedArrayArg<T>(env, info[0], nq * width, "queries");
  const T* corpus = TypedArrayArg<T>(env, info[2], nc * width, "corpus");
  kernels::SearchOptions options;
  options.top_k = SizeArg(info, 5, "topK");
  options.pool = ThreadsArg(info, 6);
  return Start(env, {info[0], info[2]}, [=](SearchResult* out) {
    out->per_row = kernels::ResultsPerQuery(options.top_k, nc);
    out->ids.resize(nq * out->per_row);
    std::vector<int32_t> scores(nq * out->per_row);
    Status status = kernel(queries, nq, corpus, nc, width, options, out->ids.data(), scores.data());
    out->values.assign(scores.begin(), scores.end());
    return status;
  });
}

// searchInt8(queries, numQueries, corpus, corpusRows, dim, topK, threads?)
Napi::Value SearchInt8(const Napi::CallbackInfo& info) {
  return QuantizedSearch<int8_t>(info, kernels::SearchInt8);
}

// searchHamming(queries, numQueries, corpus, corpusRows, bytes, topK, threads?): packed bits.
Napi::Value SearchHamming(const Napi::CallbackInfo& info) {
  return QuantizedSearch<uint8_t>(info, kernels::SearchHamming);
}

// rescore(queries, numQueries, dim, candidates: Int32Array, perQuery, corpus, corpusRows, kind, topK)
// kind: 'float32' (Float32Array rows), 'int8' (Int8Array rows), 'ubinary' (packed Uint8Array rows).
Napi::Value Rescore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t nq = SizeArg(info, 1, "numQueries"), dim = SizeArg(info, 2, "dim"), per_query = SizeArg(info, 4, "perQuery");
  const size_t nc = SizeArg(info, 6, "corpusRows"), top_k = SizeArg(info, 8, "topK");
  const float* queries = TypedArrayArg<float>(env, info[0], nq * dim, "queries");
  const int32_t* candidates32 = TypedArrayArg<int32_t>(env, info[3], nq * per_query, "candidates");
  const std::string kind_name = info[7].ToString().Utf8Value();
  kernels::RescoreCorpus kind = kernels::RescoreCorpus::kFloat32;
  const void* corpus = nullptr;
  if (kind_name == "float32") {
    corpus = TypedArrayArg<float>(env, info[5], nc * dim, "corpus");
  } else if (kind_name == "int8") {
    kind = kernels::RescoreCorpus::kInt8;
    corpus = TypedArrayArg<int8_t>(env, info[5], nc * dim, "corpus");
  } else if (kind_name == "ubinary") {
    kind = kernels::RescoreCorpus::kUnpackedBits;
    corpus = TypedArrayArg<uint8_t>(env, info[5], nc * ((dim + 7) / 8), "corpus");
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
