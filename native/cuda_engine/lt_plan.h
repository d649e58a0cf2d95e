// What LtGemm (Linear layers) and ScoreGemm (search scores) share: a cuBLASLt matmul plan
// (descriptor, operand layouts, the algorithm the heuristic chose) and a bounded cache of
// plans by shape, so that heuristics run once per shape.
#pragma once

#include <cublasLt.h>

#include <cstddef>
#include <map>
#include <string>

#include "core/status.h"
#include "cuda_engine/cublaslt_library.h"

namespace sk::cuda {

struct LtPlan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
};

// "cuBLASLt <what> failed with status N", or Ok.
Status LtStatus(cublasStatus_t status, const std::string& what);

// Creates plan->desc with op(A) = transposed, op(B) = as is: both GEMMs multiply row-major
// operands that cuBLASLt sees as column-major.
Status CreateTransposedADesc(const CublasLtLibrary* lib, cublasComputeType_t compute, cudaDataType_t scale,
                             LtPlan* plan);

// Sets plan->algo to the heuristic's best algorithm within `workspace_bytes`; `shape` names the
// GEMM in the error when there is none.
Status ChooseLtAlgorithm(const CublasLtLibrary* lib, cublasLtHandle_t handle, size_t workspace_bytes,
                         const std::string& shape, LtPlan* plan);

void DestroyLtPlan(const CublasLtLibrary* lib, LtPlan* plan);

// Plans by shape, each made once; bounded (cleared when full), since every distinct batch size
// is a new shape and a long run must not grow it forever.
template <typename Key>
class LtPlanCache {
 public:
  explicit LtPlanCache(size_t max_plans) : max_plans_(max_plans) {}
  LtPlanCache(const LtPlanCache&) = delete;
  LtPlanCache& operator=(const LtPlanCache&) = delete;
  ~LtPlanCache() { Clear(); }

  void Init(const CublasLtLibrary* lib) { lib_ = lib; }

  // The plan for `key`; make(&plan) builds it the first time (a failed one is destroyed).
  template <typename Make>
  Status Get(const Key& key, Make make, const LtPlan** out) {
    auto it = plans_.find(key);
    if (it == plans_.end()) {
      if (plans_.size() >= max_plans_) Clear();
      LtPlan plan;
      const Status made = make(&plan);
      if (!made.ok()) {
        DestroyLtPlan(lib_, &plan);
        return made;
      }
      it = plans_.emplace(key, plan).first;
    }
    *out = &it->second;
    return Status::Ok();
  }

  void Clear() {
    for (auto& [key, plan] : plans_) DestroyLtPlan(lib_, &plan);
    plans_.clear();
  }

 private:
  const CublasLtLibrary* lib_ = nullptr;
  size_t max_plans_;
  std::map<Key, LtPlan> plans_;
};

}  // namespace sk::cuda
