// Exact top-k search of queries against a corpus, with the top-k fused into a blocked scan
// (no full score matrix), on our own thread pool. Results per query are ranked best first,
// ties broken by the lower corpus id, NaN scores ranked last; each query gets
// ResultsPerQuery(top_k, corpus_rows) results.
//
// Sizes are validated and reported as InvalidArgument; pointers must cover the sizes given.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"

namespace sk {
class ThreadPool;
}

namespace sk::kernels {

enum class SearchScore {
  kDot,        // dot product (cosine when both sides are L2-normalized)
  kCosine,     // cosine similarity; queries and corpus rows are normalized on the fly
  kEuclidean,  // -||q - c||_2 (sentence-transformers' euclidean_sim); pair by pair, slower
  kManhattan,  // -||q - c||_1 (manhattan_sim); pair by pair, slower
};

struct SearchOptions {
  size_t top_k = 10;
  // Queries scanned together per pass over the corpus (sentence-transformers'
  // query_chunk_size); 0 picks a size. Results do not depend on it.
  size_t query_chunk_size = 0;
  // The most corpus rows one parallel task scans (sentence-transformers'
  // corpus_chunk_size); 0 picks a size. Results do not depend on it.
  size_t corpus_chunk_size = 0;
  ThreadPool* pool = nullptr;  // nullptr: ThreadPool::Shared()
};

// min(top_k, corpus_rows): an empty corpus gives no results rather than an error.
size_t ResultsPerQuery(size_t top_k, size_t corpus_rows);

// float32 rows of `dim`. ids/scores hold num_queries * ResultsPerQuery(...) entries.
Status SearchFloat32(const float* queries, size_t num_queries, const float* corpus, size_t corpus_rows,
                     size_t dim, SearchScore score, const SearchOptions& options, int64_t* ids, float* scores);

// int8 rows of `dim` (quantize_embeddings(..., "int8") with the corpus's ranges); scores
// are the exact int32 dot products.
Status SearchInt8(const int8_t* queries, size_t num_queries, const int8_t* corpus, size_t corpus_rows,
                  size_t dim, const SearchOptions& options, int64_t* ids, int32_t* scores);

// Packed bit rows of `bytes` bytes ("binary" or "ubinary": the XOR is the same for both);
// ranked by Hamming distance, smallest first.
Status SearchHamming(const uint8_t* queries, size_t num_queries, const uint8_t* corpus, size_t corpus_rows,
                     size_t bytes, const SearchOptions& options, int64_t* ids, int32_t* distances);

// How the rescoring step sees the corpus rows of the candidates.
enum class RescoreCorpus {
  kFloat32,   // the original float32 rows: dot product with the float query
  kInt8,      // int8 rows (int8 precision): float query . int8 values, as sentence-transformers does
  kUnpackedBits,  // packed ubinary rows: float query . unpacked 0/1 bits, as sentence-transformers does
};

// Re-ranks `candidates_per_query` candidate ids per query (from a quantized search, e.g.
// top_k * rescore_multiplier) by the float32 query's dot product with the corpus row in
// `corpus_kind` form, keeping the best min(top_k, candidates_per_query). Candidate ids must
// lie in [0, corpus_rows). `dim` is the float dimension (bits for kUnpackedBits).
Status RescoreCandidates(const float* queries, size_t num_queries, size_t dim, const int64_t* candidates,
                         size_t candidates_per_query, const void* corpus, size_t corpus_rows,
                         RescoreCorpus corpus_kind, size_t top_k, int64_t* ids, float* scores);

}  // namespace sk::kernels
