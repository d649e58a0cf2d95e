#include "napi/sparse_encode_worker.h"

#include <cstring>
#include <limits>

namespace sk::napi {

SparseEncodeWorker::SparseEncodeWorker(Napi::Env env, std::shared_ptr<pipeline::SparseEncoderModel> model,
                                       TextsArg texts, size_t batch_size, size_t max_active_dims,
                                       size_t max_length)
    : OwnerJob(env),
      model_(std::move(model)),
      texts_(std::move(texts)),
      batch_size_(batch_size),
      max_active_dims_(max_active_dims),
      max_length_(max_length) {}

Status SparseEncodeWorker::Run() {
  SK_RETURN_IF_ERROR(model_->Encode(texts_.Strings(), batch_size_, max_active_dims_, max_length_, &rows_));
  if (rows_.indices.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return InvalidArgument("too many active dimensions in one call; encode fewer texts at a time");
  }
  return Status::Ok();
}

Napi::Value SparseEncodeWorker::Result(Napi::Env env) { return SparseRowsToObject(env, rows_); }

// The sizes are only known after the run, so the result is copied once into typed arrays.
Napi::Object SparseRowsToObject(Napi::Env env, const pipeline::SparseRows& rows) {
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

}  // namespace sk::napi
