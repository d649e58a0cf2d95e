#include "cuda_engine/lt_plan.h"

namespace sk::cuda {

Status LtStatus(cublasStatus_t status, const std::string& what) {
  if (status == CUBLAS_STATUS_SUCCESS) return Status::Ok();
  return RuntimeError("cuBLASLt " + what + " failed with status " + std::to_string(static_cast<int>(status)));
}

Status CreateTransposedADesc(const CublasLtLibrary* lib, cublasComputeType_t compute, cudaDataType_t scale,
                             LtPlan* plan) {
  SK_RETURN_IF_ERROR(LtStatus(lib->MatmulDescCreate(&plan->desc, compute, scale), "matmul desc"));
  const cublasOperation_t transpose = CUBLAS_OP_T, none = CUBLAS_OP_N;
  SK_RETURN_IF_ERROR(LtStatus(lib->MatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                                          sizeof(transpose)), "transa"));
  return LtStatus(lib->MatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSB, &none, sizeof(none)), "transb");
}

Status ChooseLtAlgorithm(const CublasLtLibrary* lib, cublasLtHandle_t handle, size_t workspace_bytes,
                         const std::string& shape, LtPlan* plan) {
  cublasLtMatmulPreference_t preference = nullptr;
  SK_RETURN_IF_ERROR(LtStatus(lib->MatmulPreferenceCreate(&preference), "preference"));
  lib->MatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes,
                                    sizeof(workspace_bytes));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t status = lib->MatmulAlgoGetHeuristic(handle, plan->desc, plan->a, plan->b, plan->c, plan->c,
                                                            preference, 1, &result, &found);
  lib->MatmulPreferenceDestroy(preference);
  SK_RETURN_IF_ERROR(LtStatus(status, "heuristic"));
  if (found == 0) return RuntimeError("cuBLASLt has no algorithm for a " + shape + " GEMM");
  plan->algo = result.algo;
  return Status::Ok();
}

void DestroyLtPlan(const CublasLtLibrary* lib, LtPlan* plan) {
  if (plan->a != nullptr) lib->MatrixLayoutDestroy(plan->a);
  if (plan->b != nullptr) lib->MatrixLayoutDestroy(plan->b);
  if (plan->c != nullptr) lib->MatrixLayoutDestroy(plan->c);
  if (plan->desc != nullptr) lib->MatmulDescDestroy(plan->desc);
  *plan = LtPlan{};
}

}  // namespace sk::cuda
