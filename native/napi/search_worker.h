// Search kernels off the main thread: the query and corpus TypedArrays are read in place
// (references keep them alive while the worker runs); results come back as typed arrays.
#pragma once

#include <napi.h>

#include <functional>
#include <vector>

#include "napi/promise_worker.h"

namespace sk::napi {

// Ranked results: `ids` and `values` hold rows × per_row entries.
struct SearchResult {
  size_t per_row = 0;
  std::vector<int64_t> ids;
  std::vector<float> values;
};

class SearchWorker : public PromiseWorker {
 public:
  using Job = std::function<Status(SearchResult*)>;

  // `keep_alive` are the TypedArrays the job reads.
  SearchWorker(Napi::Env env, std::vector<Napi::Value> keep_alive, Job job);

 private:
  Status Run() override { return job_(&result_); }
  Napi::Value Result(Napi::Env env) override;

  std::vector<Napi::Reference<Napi::Value>> keep_alive_;
  Job job_;
  SearchResult result_;
};

// Registers semanticSearch, searchInt8, searchHamming and rescore on `exports`.
void InitSearch(Napi::Env env, Napi::Object exports);

}  // namespace sk::napi
