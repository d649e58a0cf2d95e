#include "napi/similarity_binding.h"

#include <string>
#include <vector>

#include "kernels/similarity.h"
#include "napi/errors.h"
#include "napi/kernel_args.h"
#include "napi/promise_worker.h"

namespace sk::napi {
namespace {

kernels::SimilarityFunction Function(const Napi::CallbackInfo& info, size_t index) {
  const std::string name = info[index].ToString().Utf8Value();
  if (name == "cosine") return kernels::SimilarityFunction::kCosine;
  if (name == "dot") return kernels::SimilarityFunction::kDot;
  if (name == "euclidean") return kernels::SimilarityFunction::kEuclidean;
  if (name == "manhattan") return kernels::SimilarityFunction::kManhattan;
  ThrowTypeError(info.Env(), "unknown similarity function " + name);
}

struct MatrixArgs {
  const float* a;
  size_t rows_a;
  const float* b;
  size_t rows_b;
  size_t dim;
  kernels::SimilarityFunction function;
  float* out;
};

// (a, rowsA, b, rowsB, dim, fn, out)
MatrixArgs ReadMatrixArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MatrixArgs args{};
  args.rows_a = SizeArg(info, 1, "rowsA");
  args.rows_b = SizeArg(info, 3, "rowsB");
  args.dim = SizeArg(info, 4, "dim");
  args.a = TypedArrayArg<float>(env, info[0], args.rows_a * args.dim, "a");
  args.b = TypedArrayArg<float>(env, info[2], args.rows_b * args.dim, "b");
  args.function = Function(info, 5);
  args.out = TypedArrayArg<float>(env, info[6], args.rows_a * args.rows_b, "out");
  return args;
}

Status RunMatrix(const MatrixArgs& args) {
  return kernels::SimilarityMatrix(args.function, args.a, args.rows_a, args.b, args.rows_b, args.dim, args.out);
}

Napi::Value SimilarityMatrix(const Napi::CallbackInfo& info) {
  const Status status = RunMatrix(ReadMatrixArgs(info));
  if (!status.ok()) throw StatusToError(info.Env(), status);
  return info.Env().Undefined();
}

// Keeps a, b and out alive until the kernel is done; resolves with out.
class SimilarityWorker : public PromiseWorker {
 public:
  SimilarityWorker(const Napi::CallbackInfo& info, MatrixArgs args)
      : PromiseWorker(info.Env(), "sentencekit:similarity"), args_(args) {
    for (size_t i : {0, 2, 6}) keep_alive_.push_back(Napi::Persistent(info[i]));
  }

 private:
  Status Run() override { return RunMatrix(args_); }
  Napi::Value Result(Napi::Env /*env*/) override { return keep_alive_[2].Value(); }

  MatrixArgs args_;
  std::vector<Napi::Reference<Napi::Value>> keep_alive_;
};

Napi::Value SimilarityMatrixAsync(const Napi::CallbackInfo& info) {
  auto* worker = new SimilarityWorker(info, ReadMatrixArgs(info));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// (a, b, rows, dim, fn, out)
Napi::Value SimilarityPairwise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t rows = SizeArg(info, 2, "rows"), dim = SizeArg(info, 3, "dim");
  const float* a = TypedArrayArg<float>(env, info[0], rows * dim, "a");
  const float* b = TypedArrayArg<float>(env, info[1], rows * dim, "b");
  const kernels::SimilarityFunction function = Function(info, 4);
  float* out = TypedArrayArg<float>(env, info[5], rows, "out");
  const Status status = kernels::PairwiseSimilarity(function, a, b, rows, dim, out);
  if (!status.ok()) throw StatusToError(env, status);
  return env.Undefined();
}

}  // namespace

void InitSimilarity(Napi::Env env, Napi::Object exports) {
  exports.Set("similarityMatrix", Napi::Function::New(env, SimilarityMatrix, "similarityMatrix"));
  exports.Set("similarityMatrixAsync", Napi::Function::New(env, SimilarityMatrixAsync, "similarityMatrixAsync"));
  exports.Set("similarityPairwise", Napi::Function::New(env, SimilarityPairwise, "similarityPairwise"));
}

}  // namespace sk::napi
