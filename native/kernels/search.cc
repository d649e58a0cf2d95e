// The blocked scan behind every search: corpus rows are split into parallel tasks; each task
// walks its rows one cache-sized block at a time, scores every query tile against the block
// into a small buffer and feeds a per-task top-k per query; the tasks' top-k are merged at
// the end. The score matrix never exists in full.
#include "kernels/search.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/aligned_vector.h"
#include "core/thread_pool.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/cpu/sign_bytes_amx.h"
#include "kernels/cpu/vector_table.h"
#include "kernels/top_k.h"

namespace sk::kernels {
namespace {

constexpr size_t kDefaultQueryChunk = 4096;
constexpr size_t kTasksPerThread = 2;
constexpr size_t kMaxCandidatesInFlight = size_t{1} << 24;  // 256 MiB of (score, id) pairs
// Queries from which the packed (compute-bound) kernels beat the row kernels: packing costs
// a transpose of every corpus block, repaid only when many query tiles reuse it. Measured on
// 1M x 384 (AMD EPYC, 2 threads): float rows 120 ms vs packed 195 ms at 32 queries, about
// even at 128; int8 rows 11 ms vs packed 17 ms at 32 queries (300k rows). Bit rows pack
// cheaply and score in a few instructions, so their packed kernel wins from 8 queries.
constexpr size_t kPackedFromQueries = 128;
constexpr size_t kPackedBitsFromQueries = 8;
constexpr size_t kPackedInt8FromQueries = 128;
#if !defined(__aarch64__)  // AMX is x86's.
// AMX tiles score 16 queries at the cost of one: below a group the VNNI row kernel (which
// streams the corpus at memory speed) measured faster (1 query: 17 vs 30 ms on 200k x 384).
constexpr size_t kAmxFromQueries = 16;
// Bit rows run on AMX as +1/-1 bytes (kernels/cpu/sign_bytes_amx.h) from 48 queries: over
// 1M x 48 bytes with k = 40, AMX took 0.32 CPU-ns per pair at 1,024 queries against 0.45
// for the VPOPCNTDQ kernel, 0.032 against 0.036 CPU-s at 64 queries, even at 32, and lost at
// 16 (0.017 against 0.014): a tile of 16 queries costs the same however many are live.
constexpr size_t kAmxBitsFromQueries = 48;
// Queries expanded and packed per call of RunSearch on the AMX bit path: the packed
// operand is 8x the bits (64 bytes per 64 bits), so a million queries are taken in pieces.
constexpr size_t kAmxBitsQueriesPerPass = 65536;
#endif

// Rows per block: about 256 KiB of corpus, so a block stays in L2 while every query tile of
// the chunk runs over it; a multiple of 16 so packed groups never straddle blocks.
size_t BlockRows(size_t row_bytes) {
  size_t rows = (256 * 1024) / std::max<size_t>(row_bytes, 1);
  rows = std::clamp<size_t>(rows, 16, 4096);
  return rows / 16 * 16;
}

Status CheckSearchSizes(const void* queries, size_t num_queries, const void* corpus, size_t corpus_rows,
                        size_t width, const SearchOptions& options, const void* ids, const void* scores) {
  if (options.top_k == 0) return InvalidArgument("expected top_k >= 1 but received 0");
  if (width == 0) return InvalidArgument("expected an embedding dimension >= 1 but received 0");
  if (num_queries > 0 && queries == nullptr) return InvalidArgument("queries are missing");
  if (corpus_rows > 0 && corpus == nullptr) return InvalidArgument("corpus is missing");
  if (num_queries > 0 && corpus_rows > 0 && (ids == nullptr || scores == nullptr)) {
    return InvalidArgument("result buffers are missing");
  }
  // Row offsets are computed in size_t; refuse sizes whose byte count would wrap.
  const size_t limit = std::numeric_limits<size_t>::max() / 8;
  if (width > limit / std::max<size_t>(corpus_rows, 1) || width > limit / std::max<size_t>(num_queries, 1)) {
    return InvalidArgument("corpus or queries too large to address");
  }
  return Status::Ok();
}

// Scores one block of corpus rows against tiles of queries. One per pool slot (owns scratch).
template <typename Score>
class BlockScorer {
 public:
  virtual ~BlockScorer() = default;
  virtual size_t max_queries() const = 0;
  virtual void Prepare(size_t row_begin, size_t rows) = 0;
  // out[q * stride + r] for q < m, r < rows of the prepared block.
  virtual void ScoreTile(size_t /*query_begin*/, size_t /*m*/, Score* /*out*/, size_t /*stride*/) {}
  // Scorers that fuse the top-k pre-filter into the kernel write only the (query, row,
  // score) hits with score >= thresholds[q] (room for m * rows) and return their count;
  // ScoreTile is then unused. Integer scores only (no NaN to rank).
  virtual bool fuses_select() const { return false; }
  virtual size_t ScoreTileHits(size_t /*query_begin*/, size_t /*m*/, const int32_t* /*thresholds*/, Int32Hit* /*hits*/) {
    return 0;
  }
};

// Per pool slot: the scratch that scoring one tile of queries against a block needs.
struct TileScratch {
  TileScratch(size_t tile, size_t block_rows, bool fused)
      : scores(fused ? 0 : tile * block_rows), positions(fused ? 0 : block_rows), hits(fused ? tile * block_rows : 0),
        thresholds(tile) {}
  std::vector<int32_t> scores;      // unfused scorers: tile x block_rows
  std::vector<uint32_t> positions;  // unfused scorers: passing rows of one query
  std::vector<Int32Hit> hits;       // fused scorers: tile x block_rows
  std::vector<int32_t> thresholds;
};

// Scores the prepared block (`rows` rows, the first with id `first_id`) against `m` queries
// from `query_begin` and offers tops[i] every score that reaches both tops[i].threshold()
// and floors[i] (when given).
void OfferTile(BlockScorer<int32_t>& scorer, const VectorKernels& kernels, size_t query_begin, size_t m, size_t rows,
               int64_t first_id, size_t stride, BufferedTopK* tops, const std::atomic<int32_t>* floors,
               TileScratch& scratch) {
  int32_t* thresholds = scratch.thresholds.data();
  for (size_t i = 0; i < m; ++i) {
    thresholds[i] = tops[i].threshold();
    if (floors != nullptr) thresholds[i] = std::max(thresholds[i], floors[i].load(std::memory_order_relaxed));
  }
  if (scorer.fuses_select()) {
    Int32Hit* hits = scratch.hits.data();
    const size_t found = scorer.ScoreTileHits(query_begin, m, thresholds, hits);
    for (size_t h = 0; h < found; ++h) tops[hits[h].query].Offer(hits[h].score, first_id + hits[h].row);
    return;
  }
  int32_t* out = scratch.scores.data();
  uint32_t* positions = scratch.positions.data();
  scorer.ScoreTile(query_begin, m, out, stride);
  for (size_t i = 0; i < m; ++i) {
    const int32_t* scores = out + i * stride;
    const size_t hits = kernels.select_at_least_i32(scores, rows, thresholds[i], positions);
    for (size_t h = 0; h < hits; ++h) tops[i].Offer(scores[positions[h]], first_id + positions[h]);
  }
}

// A task's k-th best is a floor for every task: the global k-th best reaches it. Published
// as the k-th score itself (not one above, as inside a task): a tie in a task with lower ids
// ranks ahead. Tasks that start later begin from their predecessors' thresholds; tasks that
// run together raise each other's.
void PublishFloors(const BufferedTopK* tops, size_t m, std::atomic<int32_t>* floors) {
  for (size_t i = 0; i < m; ++i) {
    const int32_t own = tops[i].threshold();
    if (own == std::numeric_limits<int32_t>::lowest()) continue;
    const int32_t kth = own - 1;  // threshold() is one above the k-th kept (or the floor it started from)
    int32_t current = floors[i].load(std::memory_order_relaxed);
    while (kth > current && !floors[i].compare_exchange_weak(current, kth, std::memory_order_relaxed)) {
    }
  }
}

// Integer searches start each query's threshold at the k-th best score of a sample of rows
// spread over the corpus: every final result scores at least that (the sampled rows are
// themselves candidates), so rows below it are refused from the first block on, where a
// threshold that only tightens as the scan goes lets the first thousands of rows per task
// through. Measured on 200k x 384 bits, 1,024 queries, k = 40: ~540 candidates per query
// and task reached the top-k without a floor. The sample is scored with the same top-k
// filter, in parallel over query tiles.
constexpr size_t kFloorSampleBlocks = 4;
constexpr size_t kFloorSampleRows = 512;  // per block

std::vector<std::atomic<int32_t>> SampledFloors(ThreadPool& pool, std::vector<std::unique_ptr<BlockScorer<int32_t>>>& scorers,
                                                std::vector<TileScratch>& scratch, size_t chunk_begin, size_t chunk,
                                                size_t corpus_rows, size_t k, size_t block_rows) {
  std::vector<std::atomic<int32_t>> floors(chunk);
  for (auto& floor : floors) floor.store(std::numeric_limits<int32_t>::lowest(), std::memory_order_relaxed);
  const size_t sample_rows = std::min(kFloorSampleRows, block_rows);
  // Only worth it (and only a real bound) when the sample holds k rows and is small next to the corpus.
  if (kFloorSampleBlocks * sample_rows < k || corpus_rows < 8 * kFloorSampleBlocks * sample_rows) return floors;
  const VectorKernels& kernels = ActiveVectorKernels();
  const size_t tile = scorers[0]->max_queries();
  const size_t tiles = (chunk + tile - 1) / tile;
  const size_t tasks = std::min(tiles, pool.size());
  pool.ParallelFor(tasks, [&](size_t task, size_t slot) {
    const size_t first_tile = task * tiles / tasks, end_tile = (task + 1) * tiles / tasks;
    const size_t q_begin = first_tile * tile, q_end = std::min(chunk, end_tile * tile);
    std::vector<BufferedTopK> tops;
    tops.reserve(q_end - q_begin);
    for (size_t q = q_begin; q < q_end; ++q) tops.emplace_back(k);
    BlockScorer<int32_t>& scorer = *scorers[slot];
    for (size_t b = 0; b < kFloorSampleBlocks; ++b) {
      scorer.Prepare(b * (corpus_rows / kFloorSampleBlocks), sample_rows);
      for (size_t q = q_begin; q < q_end; q += tile) {
        // Ids local to the sample: only the scores are kept.
        OfferTile(scorer, kernels, chunk_begin + q, std::min(tile, q_end - q), sample_rows,
                  static_cast<int64_t>(b * sample_rows), block_rows, tops.data() + (q - q_begin), nullptr, scratch[slot]);
      }
    }
    for (size_t q = q_begin; q < q_end; ++q) {
      const auto items = tops[q - q_begin].items();
      if (items.size() < k) continue;
      int32_t kth = items[0].score;
      for (const auto& item : items) kth = std::min(kth, item.score);
      floors[q].store(kth, std::memory_order_relaxed);
    }
  });
  return floors;
}

// The smallest score strictly above `score`, so that ">= NextAbove(s)" means "> s".
inline float NextAbove(float score) { return std::nextafter(score, std::numeric_limits<float>::infinity()); }

// How RunSearch splits the corpus into parallel tasks.
struct TaskLayout {
  size_t task_rows, tasks;
};

TaskLayout LayOutTasks(size_t corpus_rows, size_t block_rows, const SearchOptions& options, const ThreadPool& pool) {
  // A few tasks per thread so a thread slowed by other load does not hold up the rest; not
  // many, since each task fills its own top-k from scratch.
  size_t task_rows = (corpus_rows + pool.size() * kTasksPerThread - 1) / (pool.size() * kTasksPerThread);
  if (options.corpus_chunk_size > 0) task_rows = std::min(task_rows, options.corpus_chunk_size);
  // BufferedTopK keeps ids as 32-bit offsets into their task.
  task_rows = std::min(task_rows, size_t{1} << 31);
  task_rows = std::max(block_rows, (task_rows + block_rows - 1) / block_rows * block_rows);
  return {task_rows, (corpus_rows + task_rows - 1) / task_rows};
}

// Runs the blocked scan and writes ResultsPerQuery results per query, best first.
// `query_align`: query chunks start at multiples of it (kernels with queries packed in groups).
template <typename Score, typename MakeScorer>
void RunSearch(size_t num_queries, size_t corpus_rows, size_t block_rows, const SearchOptions& options,
               MakeScorer make_scorer, int64_t* ids_out, Score* scores_out, size_t query_align = 1) {
  const VectorKernels& kernels = ActiveVectorKernels();
  const size_t k = ResultsPerQuery(options.top_k, corpus_rows);
  if (k == 0 || num_queries == 0) return;
  ThreadPool& pool = options.pool != nullptr ? *options.pool : ThreadPool::Shared();
  // Plain variables, not a structured binding: the lambdas below capture them, which C++17
  // allows only for variables (clang refuses the binding; the sanitizer builds use clang).
  const TaskLayout layout = LayOutTasks(corpus_rows, block_rows, options, pool);
  const size_t task_rows = layout.task_rows, tasks = layout.tasks;
  std::vector<std::unique_ptr<BlockScorer<Score>>> scorers(pool.size());
  for (auto& scorer : scorers) scorer = make_scorer();
  const size_t tile = scorers[0]->max_queries();
  // Integer scores (int8 dots, Hamming) keep BufferedTopK: an append per candidate.
  constexpr bool kBuffered = std::is_same_v<Score, int32_t>;
  std::vector<TileScratch> scratch;
  std::vector<std::vector<Score>> buffers;
  std::vector<std::vector<uint32_t>> position_buffers;
  if constexpr (kBuffered) {
    for (size_t slot = 0; slot < pool.size(); ++slot) scratch.emplace_back(tile, block_rows, scorers[0]->fuses_select());
  } else {
    buffers.assign(pool.size(), std::vector<Score>(tile * block_rows));
    position_buffers.assign(pool.size(), std::vector<uint32_t>(block_rows));
  }

  size_t query_chunk = options.query_chunk_size > 0 ? options.query_chunk_size : kDefaultQueryChunk;
  // Every task keeps k (buffered: up to 2k) candidates per query of the chunk: bound that
  // scratch (a large k over many queries would otherwise need tasks x queries x k at once).
  const size_t kept = kBuffered ? 2 * k : k;
  query_chunk = std::max<size_t>(1, std::min(query_chunk, kMaxCandidatesInFlight / (kept * tasks)));
  query_chunk = std::max(query_align, query_chunk / query_align * query_align);
  // Thresholds are taken before each tile: a task's first blocks are kept short (k rows,
  // then doubling) so that they tighten before whole blocks pass, instead of the second
  // block passing nearly whole against the first k rows' worst.
  const size_t first_rows = kBuffered ? std::min(block_rows, (k + 31) / 32 * 32) : block_rows;

  for (size_t chunk_begin = 0; chunk_begin < num_queries; chunk_begin += query_chunk) {
    const size_t chunk = std::min(query_chunk, num_queries - chunk_begin);
    // heaps[task][query] (buffered: buffered[task][query])
    std::vector<std::vector<TopK<Score>>> heaps(kBuffered ? 0 : tasks);
    std::vector<std::vector<BufferedTopK>> buffered(kBuffered ? tasks : 0);
    std::vector<std::atomic<int32_t>> floors;
    if constexpr (kBuffered) floors = SampledFloors(pool, scorers, scratch, chunk_begin, chunk, corpus_rows, k, block_rows);
    pool.ParallelFor(tasks, [&](size_t task, size_t slot) {
      BlockScorer<Score>& scorer = *scorers[slot];
      if constexpr (kBuffered) {
        buffered[task].reserve(chunk);
        for (size_t q = 0; q < chunk; ++q) {
          buffered[task].emplace_back(k, static_cast<int64_t>(task * task_rows), floors[q].load(std::memory_order_relaxed));
        }
      } else {
        heaps[task].assign(chunk, TopK<Score>(k));
      }
      const size_t task_end = std::min(corpus_rows, (task + 1) * task_rows);
      size_t ramp = first_rows;
      for (size_t row = task * task_rows, rows = 0; row < task_end; row += rows) {
        rows = std::min({ramp, block_rows, task_end - row});
        ramp = std::min(2 * ramp, block_rows);
        scorer.Prepare(row, rows);
        for (size_t q = 0; q < chunk; q += tile) {
          const size_t m = std::min(tile, chunk - q);
          if constexpr (kBuffered) {
            BufferedTopK* tops = buffered[task].data() + q;
            OfferTile(scorer, kernels, chunk_begin + q, m, rows, static_cast<int64_t>(row), block_rows, tops,
                      floors.data() + q, scratch[slot]);
            PublishFloors(tops, m, floors.data() + q);
          } else {
            Score* buffer = buffers[slot].data();
            uint32_t* positions = position_buffers[slot].data();
            scorer.ScoreTile(chunk_begin + q, m, buffer, block_rows);
            for (size_t i = 0; i < m; ++i) {
              TopK<Score>& top = heaps[task][q + i];
              const Score* scores = buffer + i * block_rows;
              if (!top.full() || IsNanScore(top.worst())) {
                for (size_t r = 0; r < rows; ++r) {
                  if (top.MayEnter(scores[r])) top.Offer(scores[r], static_cast<int64_t>(row + r));
                }
                continue;
              }
              // Full: a task scans ids in increasing order, so a score equal to the current
              // worst comes with a higher id and ranks behind it; only strictly greater
              // scores can enter.
              const size_t hits = kernels.select_at_least_f32(scores, rows, NextAbove(top.worst()), positions);
              for (size_t h = 0; h < hits; ++h) top.Offer(scores[positions[h]], static_cast<int64_t>(row + positions[h]));
            }
          }
        }
      }
    });
    std::vector<Candidate<Score>> merged;
    for (size_t q = 0; q < chunk; ++q) {
      merged.clear();
      for (size_t task = 0; task < tasks; ++task) {
        if constexpr (kBuffered) {
          const auto items = buffered[task][q].items();
          merged.insert(merged.end(), items.begin(), items.end());
        } else {
          const auto& items = heaps[task][q].items();
          merged.insert(merged.end(), items.begin(), items.end());
        }
      }
      std::partial_sort(merged.begin(), merged.begin() + k, merged.end(), RanksAhead<Score>);
      for (size_t i = 0; i < k; ++i) {
        ids_out[(chunk_begin + q) * k + i] = merged[i].id;
        scores_out[(chunk_begin + q) * k + i] = merged[i].score;
      }
    }
  }
}

class Float32Scorer final : public BlockScorer<float> {
 public:
  Float32Scorer(const VectorKernels& kernels, const float* queries, const float* corpus, size_t dim, bool packed,
                bool cosine, size_t block_rows)
      : kernels_(kernels), queries_(queries), corpus_(corpus), dim_(dim), packed_(packed), cosine_(cosine) {
    if (packed_) packed_block_.resize((block_rows + kernels_.pack_lanes) * dim_);
    if (cosine_) inverse_norms_.resize(block_rows);
  }
  size_t max_queries() const override { return packed_ ? kernels_.packed_max_queries : kRowsMaxQueries; }

  void Prepare(size_t row_begin, size_t rows) override {
    row_begin_ = row_begin;
    rows_ = rows;
    const float* block = corpus_ + row_begin * dim_;
    if (packed_) kernels_.pack_f32(block, rows, dim_, packed_block_.data());
    if (cosine_) {
      for (size_t r = 0; r < rows; ++r) {
        const float norm = std::sqrt(kernels_.dot(block + r * dim_, block + r * dim_, dim_));
        inverse_norms_[r] = 1.0f / std::max(norm, 1e-12f);
      }
    }
  }

  void ScoreTile(size_t query_begin, size_t m, float* out, size_t stride) override {
    const float* queries = queries_ + query_begin * dim_;
    if (packed_) {
      const size_t groups = (rows_ + kernels_.pack_lanes - 1) / kernels_.pack_lanes;
      kernels_.dot_packed_f32(queries, m, packed_block_.data(), groups, dim_, out, stride);
    } else {
      kernels_.dot_rows_f32(queries, m, corpus_ + row_begin_ * dim_, rows_, dim_, out, stride);
    }
    if (cosine_) {
      for (size_t q = 0; q < m; ++q)
        for (size_t r = 0; r < rows_; ++r) out[q * stride + r] *= inverse_norms_[r];
    }
  }

 private:
  const VectorKernels& kernels_;
  const float* queries_;
  const float* corpus_;
  size_t dim_;
  bool packed_, cosine_;
  std::vector<float> packed_block_, inverse_norms_;
  size_t row_begin_ = 0, rows_ = 0;
};

// Negated distances, one pair at a time: no tile kernel, as these are rarely searched.
class DistanceScorer final : public BlockScorer<float> {
 public:
  DistanceScorer(const VectorKernels& kernels, const float* queries, const float* corpus, size_t dim, bool euclidean)
      : kernels_(kernels), queries_(queries), corpus_(corpus), dim_(dim), euclidean_(euclidean) {}
  size_t max_queries() const override { return kRowsMaxQueries; }
  void Prepare(size_t row_begin, size_t rows) override {
    row_begin_ = row_begin;
    rows_ = rows;
  }
  void ScoreTile(size_t query_begin, size_t m, float* out, size_t stride) override {
    for (size_t q = 0; q < m; ++q) {
      const float* query = queries_ + (query_begin + q) * dim_;
      for (size_t r = 0; r < rows_; ++r) {
        const float* row = corpus_ + (row_begin_ + r) * dim_;
        out[q * stride + r] = euclidean_ ? -std::sqrt(kernels_.squared_l2(query, row, dim_)) : -kernels_.l1(query, row, dim_);
      }
    }
  }

 private:
  const VectorKernels& kernels_;
  const float* queries_;
  const float* corpus_;
  size_t dim_;
  bool euclidean_;
  size_t row_begin_ = 0, rows_ = 0;
};

class Int8Scorer final : public BlockScorer<int32_t> {
 public:
  // `padded` (queries zero-padded to whole 4-byte chunks) and `sums` are shared, read-only.
  Int8Scorer(const VectorKernels& kernels, const int8_t* queries, const int8_t* corpus, size_t dim, bool packed,
             const std::vector<int8_t>* padded, const std::vector<int32_t>* sums, size_t block_rows)
      : kernels_(kernels), queries_(queries), corpus_(corpus), dim_(dim), packed_(packed), padded_(padded), sums_(sums) {
    if (packed_) packed_block_.resize((block_rows + kernels_.i8_lanes) * Chunks() * 4);
  }
  size_t max_queries() const override { return packed_ ? kernels_.i8_packed_max_queries : kRowsMaxQueries; }
  void Prepare(size_t row_begin, size_t rows) override {
    row_begin_ = row_begin;
    rows_ = rows;
    if (packed_) kernels_.pack_i8(corpus_ + row_begin * dim_, rows, dim_, packed_block_.data());
  }
  void ScoreTile(size_t query_begin, size_t m, int32_t* out, size_t stride) override {
    if (packed_) {
      const size_t stride_q = Chunks() * 4;
      const size_t groups = (rows_ + kernels_.i8_lanes - 1) / kernels_.i8_lanes;
      kernels_.dot_packed_i8(padded_->data() + query_begin * stride_q, stride_q, sums_->data() + query_begin, m,
                             packed_block_.data(), groups, Chunks(), out, stride);
      return;
    }
    kernels_.dot_rows_i8(queries_ + query_begin * dim_, m, corpus_ + row_begin_ * dim_, rows_, dim_, out, stride);
  }

 private:
  size_t Chunks() const { return (dim_ + 3) / 4; }
  const VectorKernels& kernels_;
  const int8_t* queries_;
  const int8_t* corpus_;
  size_t dim_;
  bool packed_;
  const std::vector<int8_t>* padded_;
  const std::vector<int32_t>* sums_;
  std::vector<uint8_t> packed_block_;
  size_t row_begin_ = 0, rows_ = 0;
};

#if !defined(__aarch64__)  // AMX is x86's; AmxInt8Enabled() is false elsewhere.
size_t RoundUpToStrip(size_t rows) { return (rows + kAmxStripRows - 1) / kAmxStripRows * kAmxStripRows; }

// What both AMX scorers share: queries packed once for the tiles, calls of up to
// kAmxMaxQueries with the top-k filter fused, and a 64-byte aligned scratch of whole 16-row
// strips that a block is copied or expanded into (rows past a block's end in its last strip
// keep older bytes; their scores are never selected).
class AmxScorerBase : public BlockScorer<int32_t> {
 public:
  size_t max_queries() const override { return kAmxMaxQueries; }
  bool fuses_select() const override { return true; }

 protected:
  // `stride`: the scratch's bytes per row, whole 64-byte steps.
  AmxScorerBase(const AlignedVector<int8_t>* packed_queries, size_t block_rows, size_t stride)
      : packed_queries_(packed_queries), scratch_(RoundUpToStrip(block_rows) * stride, int8_t{0}) {}
  // The scratch, grown (zero-filled) to hold `rows` rows of `stride` bytes.
  int8_t* Scratch(size_t rows, size_t stride) {
    if (scratch_.size() < RoundUpToStrip(rows) * stride) scratch_.resize(RoundUpToStrip(rows) * stride, int8_t{0});
    return scratch_.data();
  }
  // AmxInt8ScoreSelect over `rows` rows of `block`, `stride` bytes apart.
  size_t Select(const int8_t* block, size_t stride, size_t rows, size_t query_begin, size_t m, const int32_t* thresholds,
                Int32Hit* hits) const {
    return AmxInt8ScoreSelect(packed_queries_->data(), query_begin / kAmxQueryGroup, m, block, stride,
                              RoundUpToStrip(rows), rows, stride / kAmxStepBytes, thresholds, hits);
  }

 private:
  const AlignedVector<int8_t>* packed_queries_;
  AlignedVector<int8_t> scratch_;
};

// AMX tiles: corpus rows are read in place when whole 64-byte steps, 16-row strips and a
// 64-byte aligned start fit, else the block is first copied into the aligned, zero-padded
// scratch. Tile loads of rows that straddle cache lines made the kernel 44% slower (0.39
// against 0.27 CPU-ns per pair, one thread). With the copy and four query groups per strip
// pair, 1,024 queries over 1M x 384 took 176 ms; the kernel before, reading a malloc'd corpus
// in place, took 335.
class AmxInt8Scorer final : public AmxScorerBase {
 public:
  AmxInt8Scorer(const int8_t* corpus, size_t dim, const AlignedVector<int8_t>* packed_queries, size_t block_rows)
      : AmxScorerBase(packed_queries, block_rows, AmxSteps(dim) * kAmxStepBytes), corpus_(corpus), dim_(dim) {}
  void Prepare(size_t row_begin, size_t rows) override {
    rows_ = rows;
    const int8_t* block = corpus_ + row_begin * dim_;
    if (dim_ % kAmxStepBytes == 0 && rows % kAmxStripRows == 0 && reinterpret_cast<uintptr_t>(block) % 64 == 0) {
      block_ = block;
      stride_ = dim_;
      return;
    }
    // The scratch's bytes past dim in each row stay zero: only the first dim are copied.
    stride_ = AmxSteps(dim_) * kAmxStepBytes;
    int8_t* padded = Scratch(rows, stride_);
    for (size_t r = 0; r < rows; ++r) std::copy(block + r * dim_, block + (r + 1) * dim_, padded + r * stride_);
    block_ = padded;
  }
  size_t ScoreTileHits(size_t query_begin, size_t m, const int32_t* thresholds, Int32Hit* hits) override {
    return Select(block_, stride_, rows_, query_begin, m, thresholds, hits);
  }

 private:
  const int8_t* corpus_;
  size_t dim_;
  const int8_t* block_ = nullptr;
  size_t stride_ = 0, rows_ = 0;
};

// Hamming on AMX: each block of bit rows is expanded to +1/-1 bytes, scored as int8 dots
// (dot = bits - 2 * distance) and reported as negated distances like HammingScorer.
class AmxHammingScorer final : public AmxScorerBase {
 public:
  AmxHammingScorer(const uint8_t* corpus, size_t bytes, const AlignedVector<int8_t>* packed_queries, size_t block_rows)
      : AmxScorerBase(packed_queries, block_rows, SignBytesStride(bytes)), corpus_(corpus), bytes_(bytes) {}
  void Prepare(size_t row_begin, size_t rows) override {
    rows_ = rows;
    signs_ = Scratch(rows, SignBytesStride(bytes_));
    ExpandBitsToSigns(corpus_ + row_begin * bytes_, rows, bytes_, signs_);
  }
  size_t ScoreTileHits(size_t query_begin, size_t m, const int32_t* thresholds, Int32Hit* hits) override {
    const int64_t bits = static_cast<int64_t>(bytes_) * 8;
    // -distance >= t  <=>  dot >= 2t + bits (clamped: the lowest t lets every row through).
    int32_t dot_thresholds[kAmxMaxQueries];
    for (size_t i = 0; i < m; ++i) {
      dot_thresholds[i] = static_cast<int32_t>(std::clamp<int64_t>(2 * int64_t{thresholds[i]} + bits,
                                                                   std::numeric_limits<int32_t>::lowest(),
                                                                   std::numeric_limits<int32_t>::max()));
    }
    const size_t found = Select(signs_, SignBytesStride(bytes_), rows_, query_begin, m, dot_thresholds, hits);
    // Exact: dot and bits have the same parity.
    for (size_t h = 0; h < found; ++h) hits[h].score = static_cast<int32_t>((hits[h].score - bits) / 2);
    return found;
  }

 private:
  const uint8_t* corpus_;
  size_t bytes_;
  int8_t* signs_ = nullptr;
  size_t rows_ = 0;
};
#endif

// Ranks by negated distance so that "higher ranks first" holds for every search.
class HammingScorer final : public BlockScorer<int32_t> {
 public:
  // `padded`: queries zero-padded to whole 8-byte words; shared, read-only.
  HammingScorer(const VectorKernels& kernels, const uint8_t* queries, const uint8_t* corpus, size_t bytes, bool packed,
                const std::vector<uint8_t>* padded, size_t block_rows)
      : kernels_(kernels), queries_(queries), corpus_(corpus), bytes_(bytes), packed_(packed), padded_(padded) {
    if (packed_) packed_block_.resize((block_rows + kernels_.bits_lanes) * Words());
  }
  size_t max_queries() const override { return packed_ ? kernels_.bits_packed_max_queries : kRowsMaxQueries; }
  bool fuses_select() const override { return packed_ && kernels_.hamming_packed_select != nullptr; }
  void Prepare(size_t row_begin, size_t rows) override {
    row_begin_ = row_begin;
    rows_ = rows;
    if (packed_) kernels_.pack_bits(corpus_ + row_begin * bytes_, rows, bytes_, packed_block_.data());
  }
  size_t ScoreTileHits(size_t query_begin, size_t m, const int32_t* thresholds, Int32Hit* hits) override {
    const size_t groups = (rows_ + kernels_.bits_lanes - 1) / kernels_.bits_lanes;
    return kernels_.hamming_packed_select(padded_->data() + query_begin * Words() * 8, Words() * 8, m, packed_block_.data(),
                                          groups, Words(), rows_, thresholds, hits);
  }
  void ScoreTile(size_t query_begin, size_t m, int32_t* out, size_t stride) override {
    if (packed_) {
      const size_t groups = (rows_ + kernels_.bits_lanes - 1) / kernels_.bits_lanes;
      kernels_.hamming_packed(padded_->data() + query_begin * Words() * 8, Words() * 8, m, packed_block_.data(), groups,
                              Words(), out, stride);
      return;
    }
    kernels_.hamming_rows(queries_ + query_begin * bytes_, m, corpus_ + row_begin_ * bytes_, rows_, bytes_, out, stride);
    for (size_t q = 0; q < m; ++q)
      for (size_t r = 0; r < rows_; ++r) out[q * stride + r] = -out[q * stride + r];
  }

 private:
  size_t Words() const { return (bytes_ + 7) / 8; }
  const VectorKernels& kernels_;
  const uint8_t* queries_;
  const uint8_t* corpus_;
  size_t bytes_;
  bool packed_;
  const std::vector<uint8_t>* padded_;
  std::vector<uint64_t> packed_block_;
  size_t row_begin_ = 0, rows_ = 0;
};

// Copies rows of `width` bytes into rows of `padded_width` bytes, zero-filled.
template <typename T>
std::vector<T> PadRows(const T* rows, size_t count, size_t width, size_t padded_width) {
  std::vector<T> padded(count * padded_width, T{0});
  for (size_t r = 0; r < count; ++r) std::copy(rows + r * width, rows + (r + 1) * width, padded.begin() + r * padded_width);
  return padded;
}

bool UsePacked(size_t num_queries, const SearchOptions& options, size_t from_queries) {
  const size_t chunk = options.query_chunk_size > 0 ? options.query_chunk_size : kDefaultQueryChunk;
  return std::min(num_queries, chunk) >= from_queries;
}

#if !defined(__aarch64__)
// Writes negated distances, like RunSearch over HammingScorer.
void SearchHammingAmx(const uint8_t* queries, size_t num_queries, const uint8_t* corpus, size_t corpus_rows, size_t bytes,
                      const SearchOptions& options, int64_t* ids, int32_t* negated) {
  const size_t stride = SignBytesStride(bytes), k = ResultsPerQuery(options.top_k, corpus_rows);
  const size_t block_rows = BlockRows(stride);
  const size_t per_pass = std::min(num_queries, kAmxBitsQueriesPerPass);
  std::vector<int8_t> signs(per_pass * stride);
  AlignedVector<int8_t> packed_queries(AmxPackedQueryBytes(per_pass, stride));
  for (size_t begin = 0; begin < num_queries; begin += per_pass) {
    const size_t count = std::min(per_pass, num_queries - begin);
    ExpandBitsToSigns(queries + begin * bytes, count, bytes, signs.data());
    AmxPackQueries(signs.data(), count, stride, packed_queries.data());
    RunSearch<int32_t>(count, corpus_rows, block_rows, options, [&]() -> std::unique_ptr<BlockScorer<int32_t>> {
      return std::make_unique<AmxHammingScorer>(corpus, bytes, &packed_queries, block_rows);
    }, ids + begin * k, negated + begin * k, kAmxQueryGroup);
  }
}
#endif

}  // namespace

size_t ResultsPerQuery(size_t top_k, size_t corpus_rows) { return std::min(top_k, corpus_rows); }

Status SearchFloat32(const float* queries, size_t num_queries, const float* corpus, size_t corpus_rows, size_t dim,
                     SearchScore score, const SearchOptions& options, int64_t* ids, float* scores) {
  SK_RETURN_IF_ERROR(CheckSearchSizes(queries, num_queries, corpus, corpus_rows, dim * sizeof(float), options, ids, scores));
  const VectorKernels& kernels = ActiveVectorKernels();
  if (score == SearchScore::kEuclidean || score == SearchScore::kManhattan) {
    const bool euclidean = score == SearchScore::kEuclidean;
    RunSearch<float>(num_queries, corpus_rows, BlockRows(dim * sizeof(float)), options,
                     [&]() -> std::unique_ptr<BlockScorer<float>> {
                       return std::make_unique<DistanceScorer>(kernels, queries, corpus, dim, euclidean);
                     }, ids, scores);
    return Status::Ok();
  }
  const bool cosine = score == SearchScore::kCosine;
  // Cosine normalizes a copy of the queries (cheap); corpus norms are taken block by block.
  std::vector<float> normalized;
  if (cosine) {
    normalized.assign(queries, queries + num_queries * dim);
    for (size_t q = 0; q < num_queries; ++q) {
      float* row = normalized.data() + q * dim;
      const float norm = std::max(std::sqrt(kernels.dot(row, row, dim)), 1e-12f);
      for (size_t d = 0; d < dim; ++d) row[d] /= norm;
    }
    queries = normalized.data();
  }
  const bool packed = UsePacked(num_queries, options, kPackedFromQueries);
  // The packed kernel runs four 16-row groups per tile; a block of 160 rows (384 floats)
  // left two groups to the one-group tile, about half as fast (11% of a 1,024-query search),
  // so packed blocks are whole tiles of 64 rows.
  const size_t block_rows = packed ? std::max<size_t>(64, BlockRows(dim * sizeof(float)) / 64 * 64 + 64)
                                   : BlockRows(dim * sizeof(float));
  RunSearch<float>(num_queries, corpus_rows, block_rows, options, [&]() -> std::unique_ptr<BlockScorer<float>> {
    return std::make_unique<Float32Scorer>(kernels, queries, corpus, dim, packed, cosine, block_rows);
  }, ids, scores);
  return Status::Ok();
}

Status SearchInt8(const int8_t* queries, size_t num_queries, const int8_t* corpus, size_t corpus_rows, size_t dim,
                  const SearchOptions& options, int64_t* ids, int32_t* scores) {
  SK_RETURN_IF_ERROR(CheckSearchSizes(queries, num_queries, corpus, corpus_rows, dim, options, ids, scores));
  const VectorKernels& kernels = ActiveVectorKernels();
#if !defined(__aarch64__)
  if (AmxInt8Enabled() && UsePacked(num_queries, options, kAmxFromQueries)) {
    AlignedVector<int8_t> packed_queries(AmxPackedQueryBytes(num_queries, dim));
    AmxPackQueries(queries, num_queries, dim, packed_queries.data());
    const size_t block_rows = BlockRows(dim);
    RunSearch<int32_t>(num_queries, corpus_rows, block_rows, options, [&]() -> std::unique_ptr<BlockScorer<int32_t>> {
      return std::make_unique<AmxInt8Scorer>(corpus, dim, &packed_queries, block_rows);
    }, ids, scores, kAmxQueryGroup);
    return Status::Ok();
  }
#endif
  const bool packed = kernels.pack_i8 != nullptr && UsePacked(num_queries, options, kPackedInt8FromQueries);
  std::vector<int8_t> padded;
  std::vector<int32_t> sums;
  if (packed) {
    const size_t width = (dim + 3) / 4 * 4;
    padded = PadRows(queries, num_queries, dim, width);
    sums.resize(num_queries);
    for (size_t q = 0; q < num_queries; ++q) {
      int32_t sum = 0;
      for (size_t d = 0; d < dim; ++d) sum += queries[q * dim + d];
      sums[q] = sum;
    }
  }
  const size_t block_rows = BlockRows(dim);
  RunSearch<int32_t>(num_queries, corpus_rows, block_rows, options, [&]() -> std::unique_ptr<BlockScorer<int32_t>> {
    return std::make_unique<Int8Scorer>(kernels, queries, corpus, dim, packed, &padded, &sums, block_rows);
  }, ids, scores);
  return Status::Ok();
}

Status SearchHamming(const uint8_t* queries, size_t num_queries, const uint8_t* corpus, size_t corpus_rows,
                     size_t bytes, const SearchOptions& options, int64_t* ids, int32_t* distances) {
  SK_RETURN_IF_ERROR(CheckSearchSizes(queries, num_queries, corpus, corpus_rows, bytes, options, ids, distances));
#if !defined(__aarch64__)
  if (AmxInt8Enabled() && UsePacked(num_queries, options, kAmxBitsFromQueries)) {
    SearchHammingAmx(queries, num_queries, corpus, corpus_rows, bytes, options, ids, distances);
  } else
#endif
  {
    const VectorKernels& kernels = ActiveVectorKernels();
    const bool packed = kernels.pack_bits != nullptr && UsePacked(num_queries, options, kPackedBitsFromQueries);
    std::vector<uint8_t> padded;
    if (packed) padded = PadRows(queries, num_queries, bytes, (bytes + 7) / 8 * 8);
    // Bit rows are small: cap the block so a query tile's scores (tile x block) stay in L1.
    const size_t block_rows = std::min<size_t>(BlockRows(bytes), 1024);
    RunSearch<int32_t>(num_queries, corpus_rows, block_rows, options, [&]() -> std::unique_ptr<BlockScorer<int32_t>> {
      return std::make_unique<HammingScorer>(kernels, queries, corpus, bytes, packed, &padded, block_rows);
    }, ids, distances);
  }
  const size_t results = num_queries * ResultsPerQuery(options.top_k, corpus_rows);
  for (size_t i = 0; i < results; ++i) distances[i] = -distances[i];
  return Status::Ok();
}

Status RescoreCandidates(const float* queries, size_t num_queries, size_t dim, const int64_t* candidates,
                         size_t candidates_per_query, const void* corpus, size_t corpus_rows,
                         RescoreCorpus corpus_kind, size_t top_k, int64_t* ids, float* scores) {
  if (top_k == 0) return InvalidArgument("expected top_k >= 1 but received 0");
  if (dim == 0) return InvalidArgument("expected an embedding dimension >= 1 but received 0");
  if (corpus_kind == RescoreCorpus::kUnpackedBits && dim % 8 != 0) {
    return InvalidArgument("expected a bit dimension that is a multiple of 8 but received " + std::to_string(dim));
  }
  const size_t total = num_queries * candidates_per_query;
  for (size_t i = 0; i < total; ++i) {
    if (candidates[i] < 0 || static_cast<size_t>(candidates[i]) >= corpus_rows) {
      return InvalidArgument("expected candidate ids in [0, " + std::to_string(corpus_rows) + ") but received " +
                             std::to_string(candidates[i]));
    }
  }
  const VectorKernels& kernels = ActiveVectorKernels();
  const size_t keep = std::min(top_k, candidates_per_query);
  std::vector<float> unpacked(corpus_kind == RescoreCorpus::kFloat32 ? 0 : dim);
  std::vector<Candidate<float>> ranked(candidates_per_query);
  for (size_t q = 0; q < num_queries; ++q) {
    const float* query = queries + q * dim;
    for (size_t c = 0; c < candidates_per_query; ++c) {
      const int64_t id = candidates[q * candidates_per_query + c];
      float score = 0.0f;
      if (corpus_kind == RescoreCorpus::kFloat32) {
        score = kernels.dot(query, static_cast<const float*>(corpus) + id * dim, dim);
      } else if (corpus_kind == RescoreCorpus::kInt8) {
        const int8_t* row = static_cast<const int8_t*>(corpus) + id * dim;
        for (size_t d = 0; d < dim; ++d) unpacked[d] = row[d];
        score = kernels.dot(query, unpacked.data(), dim);
      } else {
        // np.unpackbits order: the first dimension is the most significant bit of byte 0.
        const uint8_t* row = static_cast<const uint8_t*>(corpus) + id * (dim / 8);
        for (size_t d = 0; d < dim; ++d) unpacked[d] = static_cast<float>((row[d / 8] >> (7 - d % 8)) & 1);
        score = kernels.dot(query, unpacked.data(), dim);
      }
      ranked[c] = {score, id};
    }
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(), RanksAhead<float>);
    for (size_t i = 0; i < keep; ++i) {
      ids[q * keep + i] = ranked[i].id;
      scores[q * keep + i] = ranked[i].score;
    }
  }
  return Status::Ok();
}

}  // namespace sk::kernels
