// encode(texts, batchSize, maxActiveDims, maxLength) of a SparseEncoder: resolves to compressed sparse
// rows { indices: Int32Array, values: Float32Array, offsets: Int32Array }.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "napi/model_owner.h"
#include "napi/texts_arg.h"
#include "pipeline/sparse_encoder.h"

namespace sk::napi {

// { indices, values, offsets } typed arrays of `rows`; shared by every sparse route's worker.
Napi::Object SparseRowsToObject(Napi::Env env, const pipeline::SparseRows& rows);

class SparseEncodeWorker : public OwnerJob {
 public:
  SparseEncodeWorker(Napi::Env env, std::shared_ptr<pipeline::SparseEncoderModel> model,
                     TextsArg texts, size_t batch_size, size_t max_active_dims, size_t max_length);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::shared_ptr<pipeline::SparseEncoderModel> model_;
  TextsArg texts_;
  size_t batch_size_;
  size_t max_active_dims_;
  size_t max_length_;  // 0: the length the model loaded with
  pipeline::SparseRows rows_;
};

}  // namespace sk::napi
