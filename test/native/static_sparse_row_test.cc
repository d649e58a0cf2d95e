// The static (idf) sparse row of SparseStaticEmbedding against a dense scalar reference:
// presence per distinct id times its weight, zero weights dropped, and max_active_dims
// keeping the largest magnitudes (negative weights included) in ascending id order.
#include <cmath>
#include <vector>

#include "check.h"
#include "pipeline/static_sparse_encoder.h"

namespace {

// What Python computes: a dense presence vector (scatter of ones) times the weights.
std::vector<float> DenseReference(const std::vector<int64_t>& ids, const std::vector<float>& weights) {
  std::vector<float> dense(weights.size(), 0.0f);
  for (int64_t id : ids) dense[static_cast<size_t>(id)] = weights[static_cast<size_t>(id)];
  return dense;
}

}  // namespace

TEST(static_sparse_row_matches_dense_reference) {
  std::vector<float> weights(50);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = (i % 7 == 0) ? 0.0f : std::sin(static_cast<float>(i)) * 3.0f;
  const std::vector<std::vector<int64_t>> texts = {{}, {3}, {5, 5, 5}, {49, 1, 7, 1, 14, 30, 2, 2}, {0, 21, 42}};
  for (const auto& ids : texts) {
    sk::pipeline::SparseRows rows;
    CHECK(AppendStaticSparseRow(ids, weights, 0, &rows).ok());
    const std::vector<float> dense = DenseReference(ids, weights);
    std::vector<int32_t> want_indices;
    for (size_t j = 0; j < dense.size(); ++j) if (dense[j] != 0.0f) want_indices.push_back(static_cast<int32_t>(j));
    CHECK(rows.indices == want_indices) << "ids of a text with " << ids.size() << " tokens";
    for (size_t k = 0; k < rows.indices.size(); ++k) CHECK(rows.values[k] == dense[static_cast<size_t>(rows.indices[k])]);
    CHECK(rows.offsets.size() == 2 && rows.offsets[1] == static_cast<int64_t>(rows.indices.size()));
  }
}

TEST(static_sparse_row_max_active_dims_by_magnitude) {
  const std::vector<float> weights = {0.0f, 1.0f, -5.0f, 2.0f, 4.0f, -0.5f};
  sk::pipeline::SparseRows rows;
  CHECK(AppendStaticSparseRow({1, 2, 3, 4, 5, 0}, weights, 2, &rows).ok());
  CHECK((rows.indices == std::vector<int32_t>{2, 4}));
  CHECK((rows.values == std::vector<float>{-5.0f, 4.0f}));
  CHECK(AppendStaticSparseRow({1, 3}, weights, 5, &rows).ok());  // fewer than the limit: all kept
  CHECK((rows.offsets == std::vector<int64_t>{0, 2, 4}));
}

TEST(static_sparse_row_rejects_ids_without_weights) {
  sk::pipeline::SparseRows rows;
  const sk::Status status = AppendStaticSparseRow({1, 9}, {1.0f, 2.0f}, 0, &rows);
  CHECK(!status.ok() && status.code() == sk::StatusCode::kInvalidArgument);
  CHECK(!AppendStaticSparseRow({-1}, {1.0f}, 0, &rows).ok());
}
