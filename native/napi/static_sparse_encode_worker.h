// encode(texts, batchSize, maxActiveDims) of a static (inference-free) sparse route: resolves
// to the same compressed sparse rows as SparseEncodeWorker, { indices, values, offsets }.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "napi/promise_worker.h"
#include "napi/texts_arg.h"
#include "pipeline/static_sparse_encoder.h"

namespace sk::napi {

class StaticSparseEncodeWorker : public PromiseWorker {
 public:
  StaticSparseEncodeWorker(Napi::Env env, std::shared_ptr<pipeline::StaticSparseEncoderModel> model,
                           TextsArg texts, size_t max_active_dims);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<pipeline::StaticSparseEncoderModel> model_;
  TextsArg texts_;
  size_t max_active_dims_;
  pipeline::SparseRows rows_;
};

}  // namespace sk::napi
