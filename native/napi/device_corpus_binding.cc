#include "napi/device_corpus_binding.h"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "napi/addon_data.h"
#include "napi/errors.h"
#include "napi/promise_worker.h"
#include "runtime/cuda_backend.h"

namespace sk::napi {
namespace {

struct CorpusHolder {
  std::shared_ptr<runtime::CudaCorpus> corpus;  // null once disposed
};

// Marks our Externals, so a foreign External is refused rather than misread.
constexpr napi_type_tag kCorpusTag = {0x5e17e9c3a0d64b21ull, 0x9c0f1d7e44b2a86full};

bool IsCorpusHandle(const Napi::Value& value) {
  if (!value.IsExternal()) return false;
  bool tagged = false;
  return napi_check_object_type_tag(value.Env(), value, &kCorpusTag, &tagged) == napi_ok && tagged;
}

size_t Count(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber()) ThrowTypeError(info.Env(), std::string("expected a number for ") + what);
  const double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value > static_cast<double>(std::numeric_limits<int32_t>::max() - 1)) {
    ThrowTypeError(info.Env(), std::string(what) + " out of range");
  }
  return static_cast<size_t>(value);
}

// The rows of a Float32Array or Int8Array (whichever `type` wants), at least `count` elements.
const void* Rows(Napi::Env env, const Napi::Value& value, SkCudaCorpusType type, size_t count, const char* what) {
  const napi_typedarray_type want = type == SK_CUDA_CORPUS_INT8 ? napi_int8_array : napi_float32_array;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != want) {
    ThrowTypeError(env, std::string("unexpected array type for ") + what);
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.ElementLength() < count) ThrowTypeError(env, std::string(what) + " is shorter than its shape");
  return static_cast<const char*>(array.ArrayBuffer().Data()) + array.ByteOffset();
}

std::shared_ptr<runtime::CudaCorpus> Corpus(const Napi::Value& value) {
  if (!IsCorpusHandle(value)) ThrowTypeError(value.Env(), "expected a device corpus handle");
  CorpusHolder* holder = value.As<Napi::External<CorpusHolder>>().Data();
  if (holder->corpus == nullptr) {
    throw StatusToError(value.Env(), Status(StatusCode::kDisposed, "the device corpus has been disposed"));
  }
  return holder->corpus;
}

class CreateWorker : public PromiseWorker {
 public:
  CreateWorker(Napi::Env env, Napi::Value rows, const void* data, size_t num_rows, int dim, SkCudaCorpusType type,
               int device)
      : PromiseWorker(env, "sentencekit:cudaCorpusCreate"), rows_ref_(Napi::Persistent(rows)), data_(data),
        num_rows_(num_rows), dim_(dim), type_(type), device_(device), library_dir_(GetAddonData(env).addon_dir) {}

 private:
  Status Run() override {
    std::unique_ptr<runtime::CudaCorpus> corpus;
    SK_RETURN_IF_ERROR(runtime::CudaCorpus::Create(library_dir_, device_, type_, num_rows_, dim_, &corpus));
    SK_RETURN_IF_ERROR(corpus->Upload(0, num_rows_, data_));
    corpus_ = std::move(corpus);
    return Status::Ok();
  }
  Napi::Value Result(Napi::Env env) override {
    auto* holder = new CorpusHolder{std::move(corpus_)};
    Napi::External<CorpusHolder> handle =
        Napi::External<CorpusHolder>::New(env, holder, [](Napi::Env, CorpusHolder* h) { delete h; });
    NAPI_THROW_IF_FAILED(env, napi_type_tag_object(env, handle, &kCorpusTag), Napi::Value());
    return handle;
  }

  Napi::Reference<Napi::Value> rows_ref_;
  const void* data_;
  size_t num_rows_;
  int dim_;
  SkCudaCorpusType type_;
  int device_;
  std::string library_dir_;
  std::shared_ptr<runtime::CudaCorpus> corpus_;
};

class SearchWorker : public PromiseWorker {
 public:
  SearchWorker(Napi::Env env, std::shared_ptr<runtime::CudaCorpus> corpus, Napi::Value queries, const void* data,
               int num_queries, int top_k, bool cosine)
      : PromiseWorker(env, "sentencekit:cudaCorpusSearch"), corpus_(std::move(corpus)),
        queries_ref_(Napi::Persistent(queries)), data_(data), num_queries_(num_queries), top_k_(top_k),
        cosine_(cosine) {}

 private:
  Status Run() override {
    per_query_ = std::min(static_cast<size_t>(top_k_), corpus_->rows());
    ids_.resize(static_cast<size_t>(num_queries_) * per_query_);
    scores_.resize(ids_.size());
    return corpus_->Search(data_, num_queries_, top_k_, cosine_, ids_.data(), scores_.data());
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Int32Array ids = Napi::Int32Array::New(env, ids_.size());
    std::copy(ids_.begin(), ids_.end(), ids.Data());
    Napi::Float32Array scores = Napi::Float32Array::New(env, scores_.size());
    std::copy(scores_.begin(), scores_.end(), scores.Data());
    Napi::Object out = Napi::Object::New(env);
    out.Set("ids", ids);
    out.Set("scores", scores);
    out.Set("perQuery", Napi::Number::New(env, static_cast<double>(per_query_)));
    return out;
  }

  std::shared_ptr<runtime::CudaCorpus> corpus_;
  Napi::Reference<Napi::Value> queries_ref_;
  const void* data_;
  int num_queries_, top_k_;
  bool cosine_;
  size_t per_query_ = 0;
  std::vector<int32_t> ids_;
  std::vector<float> scores_;
};

SkCudaCorpusType ParseType(Napi::Env env, const Napi::Value& value) {
  const std::string type = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  if (type == "float32") return SK_CUDA_CORPUS_FLOAT32;
  if (type == "float16") return SK_CUDA_CORPUS_FLOAT16;
  if (type == "int8") return SK_CUDA_CORPUS_INT8;
  ThrowTypeError(env, "expected a corpus type of 'float32', 'float16' or 'int8'");
  return SK_CUDA_CORPUS_FLOAT32;
}

Napi::Value CorpusCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t rows = Count(info, 1, "numRows"), dim = Count(info, 2, "dim");
  const SkCudaCorpusType type = ParseType(env, info[3]);
  const int device = static_cast<int>(Count(info, 4, "device"));
  const void* data = Rows(env, info[0], type, rows * dim, "corpus");
  auto* worker = new CreateWorker(env, info[0], data, rows, static_cast<int>(dim), type, device);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value CorpusSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<runtime::CudaCorpus> corpus = Corpus(info[0]);
  const size_t nq = Count(info, 2, "numQueries"), top_k = Count(info, 3, "topK");
  const void* data = Rows(env, info[1], corpus->type(), nq * static_cast<size_t>(corpus->dim()), "queries");
  auto* worker = new SearchWorker(env, std::move(corpus), info[1], data, static_cast<int>(nq), static_cast<int>(top_k),
                                  info[4].ToBoolean().Value());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value CorpusDispose(const Napi::CallbackInfo& info) {
  if (IsCorpusHandle(info[0])) info[0].As<Napi::External<CorpusHolder>>().Data()->corpus.reset();
  return info.Env().Undefined();
}

}  // namespace

void InitDeviceCorpus(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaCorpusCreate", Napi::Function::New(env, CorpusCreate, "cudaCorpusCreate"));
  exports.Set("cudaCorpusSearch", Napi::Function::New(env, CorpusSearch, "cudaCorpusSearch"));
  exports.Set("cudaCorpusDispose", Napi::Function::New(env, CorpusDispose, "cudaCorpusDispose"));
}

}  // namespace sk::napi
