#include "napi/static_sparse_encode_worker.h"

#include <limits>

#include "napi/sparse_encode_worker.h"

namespace sk::napi {

StaticSparseEncodeWorker::StaticSparseEncodeWorker(Napi::Env env, std::shared_ptr<pipeline::StaticSparseEncoderModel> model,
                                                   TextsArg texts, size_t max_active_dims)
    : PromiseWorker(env, "sentencekit:staticSparseEncode"),
      model_(std::move(model)),
      texts_(std::move(texts)),
      max_active_dims_(max_active_dims) {}

Status StaticSparseEncodeWorker::Run() {
  SK_RETURN_IF_ERROR(model_->Encode(texts_.Strings(), max_active_dims_, &rows_));
  if (rows_.indices.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return InvalidArgument("too many active dimensions in one call; encode fewer texts at a time");
  }
  return Status::Ok();
}

Napi::Value StaticSparseEncodeWorker::Result(Napi::Env env) { return SparseRowsToObject(env, rows_); }

}  // namespace sk::napi
