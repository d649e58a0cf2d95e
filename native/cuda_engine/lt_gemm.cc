#include "cuda_engine/lt_gemm.h"

#include <string>

namespace sk::cuda {
namespace {

constexpr size_t kWorkspaceBytes = 32u << 20;
// Every distinct batch size is a shape.
constexpr size_t kMaxPlans = 4096;

}  // namespace

LtGemm::LtGemm() : plans_(kMaxPlans) {}

LtGemm::~LtGemm() {
  plans_.Clear();
  if (handle_ != nullptr) lib_->Destroy(handle_);
}

Status LtGemm::Init(const CublasLtLibrary* lib, cudaDataType_t data_type) {
  lib_ = lib;
  data_type_ = data_type;
  plans_.Init(lib);
  SK_RETURN_IF_ERROR(LtStatus(lib_->Create(&handle_), "create"));
  return workspace_.Reserve(kWorkspaceBytes, "the cuBLASLt workspace");
}

// cuBLASLt is column-major. Row-major Y[rows, out] is column-major Yᵀ[out, rows], and
// Yᵀ = W · Xᵀ where row-major W[out, in] is column-major Wᵀ[in, out] (so op A = T) and
// row-major X[rows, in] is column-major Xᵀ[in, rows] (op B = N).
Status LtGemm::MakePlan(int rows, int out, int in, LtPlan* plan) {
  SK_RETURN_IF_ERROR(CreateTransposedADesc(lib_, CUBLAS_COMPUTE_32F, CUDA_R_32F, plan));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->a, data_type_, in, out, in), "layout A"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->b, data_type_, in, rows, in), "layout B"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->c, data_type_, out, rows, out), "layout C"));
  return ChooseLtAlgorithm(lib_, handle_, workspace_.bytes(),
                           std::to_string(rows) + "x" + std::to_string(out) + "x" + std::to_string(in), plan);
}

Status LtGemm::Run(const void* x, const void* w, void* y, int rows, int out, int in, cudaStream_t stream) {
  if (rows == 0) return Status::Ok();
  const LtPlan* plan = nullptr;
  SK_RETURN_IF_ERROR(plans_.Get(std::make_tuple(rows, out, in),
                                [&](LtPlan* made) { return MakePlan(rows, out, in, made); }, &plan));
  const float alpha = 1.0f, beta = 0.0f;
  return LtStatus(lib_->Matmul(handle_, plan->desc, &alpha, w, plan->a, x, plan->b, &beta, y, plan->c, y, plan->c,
                               &plan->algo, workspace_.as<void>(), workspace_.bytes(), stream),
                  "matmul");
}

}  // namespace sk::cuda
