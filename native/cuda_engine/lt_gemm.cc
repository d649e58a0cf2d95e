#include "cuda_engine/lt_gemm.h"

#include <string>

namespace sk::cuda {
namespace {

constexpr size_t kWorkspaceBytes = 32u << 20;
// Every distinct batch size is a shape; bound the cache so a long run cannot grow it forever.
constexpr size_t kMaxPlans = 4096;

Status LtStatus(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return Status::Ok();
  return RuntimeError(std::string("cuBLASLt ") + what + " failed with status " + std::to_string(static_cast<int>(status)));
}

}  // namespace

LtGemm::~LtGemm() {
  for (auto& [shape, plan] : plans_) DestroyPlan(&plan);
  if (handle_ != nullptr) lib_->Destroy(handle_);
}

Status LtGemm::Init(const CublasLtLibrary* lib, cudaDataType_t data_type) {
  lib_ = lib;
  data_type_ = data_type;
  SK_RETURN_IF_ERROR(LtStatus(lib_->Create(&handle_), "create"));
  return workspace_.Reserve(kWorkspaceBytes, "the cuBLASLt workspace");
}

void LtGemm::DestroyPlan(Plan* plan) {
  if (plan->a != nullptr) lib_->MatrixLayoutDestroy(plan->a);
  if (plan->b != nullptr) lib_->MatrixLayoutDestroy(plan->b);
  if (plan->c != nullptr) lib_->MatrixLayoutDestroy(plan->c);
  if (plan->desc != nullptr) lib_->MatmulDescDestroy(plan->desc);
  *plan = Plan{};
}

// cuBLASLt is column-major. Row-major Y[rows, out] is column-major Yᵀ[out, rows], and
// Yᵀ = W · Xᵀ where row-major W[out, in] is column-major Wᵀ[in, out] (so op A = T) and
// row-major X[rows, in] is column-major Xᵀ[in, rows] (op B = N).
Status LtGemm::MakePlan(int rows, int out, int in, Plan* plan) {
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatmulDescCreate(&plan->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "matmul desc"));
  const cublasOperation_t transpose = CUBLAS_OP_T, none = CUBLAS_OP_N;
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                                           sizeof(transpose)), "transa"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSB, &none,
                                                           sizeof(none)), "transb"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->a, data_type_, in, out, in), "layout A"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->b, data_type_, in, rows, in), "layout B"));
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatrixLayoutCreate(&plan->c, data_type_, out, rows, out), "layout C"));
  cublasLtMatmulPreference_t preference = nullptr;
  SK_RETURN_IF_ERROR(LtStatus(lib_->MatmulPreferenceCreate(&preference), "preference"));
  const size_t workspace = workspace_.bytes();
  lib_->MatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t status = lib_->MatmulAlgoGetHeuristic(handle_, plan->desc, plan->a, plan->b, plan->c, plan->c,
                                                             preference, 1, &result, &found);
  lib_->MatmulPreferenceDestroy(preference);
  SK_RETURN_IF_ERROR(LtStatus(status, "heuristic"));
  if (found == 0) {
    return RuntimeError("cuBLASLt has no algorithm for a " + std::to_string(rows) + "x" + std::to_string(out) + "x" +
                        std::to_string(in) + " GEMM");
  }
  plan->algo = result.algo;
  return Status::Ok();
}

Status LtGemm::Run(const void* x, const void* w, void* y, int rows, int out, int in, cudaStream_t stream) {
  if (rows == 0) return Status::Ok();
  const auto key = std::make_tuple(rows, out, in);
  auto it = plans_.find(key);
  if (it == plans_.end()) {
    if (plans_.size() >= kMaxPlans) {
      for (auto& [shape, plan] : plans_) DestroyPlan(&plan);
      plans_.clear();
    }
    Plan plan;
    const Status made = MakePlan(rows, out, in, &plan);
    if (!made.ok()) {
      DestroyPlan(&plan);
      return made;
    }
    it = plans_.emplace(key, plan).first;
  }
  const Plan& plan = it->second;
  const float alpha = 1.0f, beta = 0.0f;
  return LtStatus(lib_->Matmul(handle_, plan.desc, &alpha, w, plan.a, x, plan.b, &beta, y, plan.c, y, plan.c,
                               &plan.algo, workspace_.as<void>(), workspace_.bytes(), stream),
                  "matmul");
}

}  // namespace sk::cuda
