#include "cuda_engine/score_gemm.h"

#include <cstdint>
#include <string>

namespace sk::cuda {
namespace {

constexpr size_t kWorkspaceBytes = 32u << 20;
constexpr size_t kMaxPlans = 256;

}  // namespace

ScoreGemm::ScoreGemm() : plans_(kMaxPlans) {}

ScoreGemm::~ScoreGemm() {
  plans_.Clear();
  if (handle_ != nullptr) lib_->Destroy(handle_);
}

Status ScoreGemm::Init(const CublasLtLibrary* lib, ScoreType type, int dim) {
  if (dim <= 0 || dim % 16 != 0) return InvalidArgument("search GEMM dimension must be a positive multiple of 16");
  lib_ = lib;
  type_ = type;
  dim_ = dim;
  plans_.Init(lib);
  SK_RETURN_IF_ERROR(LtStatus(lib_->Create(&handle_), "create (search)"));
  return workspace_.Reserve(kWorkspaceBytes, "the search cuBLASLt workspace");
}

Status ScoreGemm::MakePlan(int num_queries, int num_rows, size_t ld, LtPlan* plan) {
  const bool int8 = type_ == ScoreType::kInt8;
  const cudaDataType_t input = type_ == ScoreType::kFloat32 ? CUDA_R_32F : type_ == ScoreType::kFloat16 ? CUDA_R_16F
                                                                                                         : CUDA_R_8I;
  const cudaDataType_t output = int8 ? CUDA_R_32I : CUDA_R_32F;
  SK_RETURN_IF_ERROR(CreateTransposedADesc(lib_, int8 ? CUBLAS_COMPUTE_32I : CUBLAS_COMPUTE_32F,
                                            int8 ? CUDA_R_32I : CUDA_R_32F, plan));
  // A = corpus rows, column-major [dim, num_rows] (ld dim), transposed; B = queries, column-major
  // [dim, num_queries]; C = scores, column-major [num_rows, num_queries] with ld = row-major
  // [q, ld] (ld padded so every score row is aligned as the int8 kernels want).
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->a, input, dim_, num_rows, dim_), "search layout A"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->b, input, dim_, num_queries, dim_), "search layout B"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->c, output, num_rows, num_queries, static_cast<int64_t>(ld)),
                              "search layout C"));
  return ChooseLtAlgorithm(lib_, handle_, workspace_.bytes(),
                           std::to_string(num_queries) + "x" + std::to_string(num_rows) + "x" + std::to_string(dim_) +
                               " search",
                           plan);
}

Status ScoreGemm::Run(const void* queries, int num_queries, const void* rows, int num_rows, void* scores, size_t ld,
                      cudaStream_t stream) {
  if (num_queries <= 0 || num_rows <= 0) return Status::Ok();
  if (ld < static_cast<size_t>(num_rows) || ld % 16 != 0) return InvalidArgument("bad score leading dimension");
  const LtPlan* plan = nullptr;
  SK_RETURN_IF_ERROR(plans_.Get(std::make_tuple(num_queries, num_rows, ld),
                                [&](LtPlan* made) { return MakePlan(num_queries, num_rows, ld, made); }, &plan));
  // alpha and beta are of the scale type: int32 for int8, float otherwise.
  const float alpha_f = 1.0f, beta_f = 0.0f;
  const int32_t alpha_i = 1, beta_i = 0;
  const bool int8 = type_ == ScoreType::kInt8;
  const void* alpha = int8 ? static_cast<const void*>(&alpha_i) : static_cast<const void*>(&alpha_f);
  const void* beta = int8 ? static_cast<const void*>(&beta_i) : static_cast<const void*>(&beta_f);
  return LtStatus(lib_->Matmul(handle_, plan->desc, alpha, rows, plan->a, queries, plan->b, beta, scores, plan->c, scores,
                               plan->c, &plan->algo, workspace_.as<void>(), workspace_.bytes(), stream),
                  "search matmul");
}

}  // namespace sk::cuda
