// The k best (score, id) pairs of a stream, ranked by score (higher first) with ties broken
// by the lower id, and NaN ranked below every number: the order every search returns.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

namespace sk::kernels {

template <typename Score>
struct Candidate {
  Score score;
  int64_t id;
};

template <typename Score>
inline bool IsNanScore(Score s) {
  if constexpr (std::is_floating_point_v<Score>) return std::isnan(s);
  return false;
}

// True when `a` ranks ahead of `b`.
template <typename Score>
inline bool RanksAhead(const Candidate<Score>& a, const Candidate<Score>& b) {
  const bool a_nan = IsNanScore(a.score), b_nan = IsNanScore(b.score);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.score != b.score) return a.score > b.score;
  return a.id < b.id;
}

template <typename Score>
class TopK {
 public:
  explicit TopK(size_t k = 0) : k_(k) { heap_.reserve(k); }

  // A cheap pre-filter: false only when `score` cannot enter whatever its id.
  bool MayEnter(Score score) const {
    if (heap_.size() < k_) return true;
    const Score worst = heap_.front().score;
    if (IsNanScore(worst)) return !IsNanScore(score);
    return score >= worst;
  }

  void Offer(Score score, int64_t id) {
    if (k_ == 0) return;
    const Candidate<Score> candidate{score, id};
    auto worse = [](const Candidate<Score>& a, const Candidate<Score>& b) { return RanksAhead(a, b); };
    if (heap_.size() < k_) {
      heap_.push_back(candidate);
      std::push_heap(heap_.begin(), heap_.end(), worse);
    } else if (RanksAhead(candidate, heap_.front())) {
      // The front is the worst kept candidate (the heap's "largest" under RanksAhead).
      std::pop_heap(heap_.begin(), heap_.end(), worse);
      heap_.back() = candidate;
      std::push_heap(heap_.begin(), heap_.end(), worse);
    }
  }

  bool full() const { return heap_.size() >= k_; }
  // The score a newcomer must reach once full (ties then go by id).
  Score worst() const { return heap_.front().score; }

  const std::vector<Candidate<Score>>& items() const { return heap_; }
  size_t size() const { return heap_.size(); }

 private:
  size_t k_;
  std::vector<Candidate<Score>> heap_;
};

// The k best of a stream of int32 scores whose ids arrive in increasing order (one search
// task), for kernels that pre-filter by threshold(): passing candidates are appended to a
// buffer of 2k and cut back to the best k (nth_element) when it fills, so each one costs an
// append rather than a heap update. Exact, ties going to the lower id: a newcomer with a
// higher id must score strictly above the k-th kept to rank ahead of it. Candidates are kept
// as one 64-bit key (biased score, then the complement of the id's offset from `base`, which
// must stay below 2^32), so that ranking is a plain integer comparison.
class BufferedTopK {
 public:
  // `floor`: a score every result is known to reach (a lower bound on the final k-th best,
  // e.g. from a sample of the rows); anything below it is refused from the start.
  explicit BufferedTopK(size_t k = 0, int64_t base = 0, int32_t floor = std::numeric_limits<int32_t>::lowest())
      : k_(k), base_(base), threshold_(floor) {
    keys_.reserve(2 * k);
  }

  // The score a newcomer must reach: the floor until k are kept, then above the k-th best.
  int32_t threshold() const { return threshold_; }

  void Offer(int32_t score, int64_t id) {
    if (score < threshold_) return;
    const uint64_t biased = static_cast<uint32_t>(score) ^ 0x80000000u;
    keys_.push_back(biased << 32 | (0xFFFFFFFFu - static_cast<uint32_t>(id - base_)));
    if (keys_.size() >= 2 * k_) Cut();
  }

  // The best k (fewer if fewer came), unordered; call once after the stream ends.
  std::vector<Candidate<int32_t>> items() {
    if (keys_.size() > k_) Cut();
    std::vector<Candidate<int32_t>> out(keys_.size());
    for (size_t i = 0; i < keys_.size(); ++i) {
      out[i].score = static_cast<int32_t>(static_cast<uint32_t>(keys_[i] >> 32) ^ 0x80000000u);
      out[i].id = base_ + static_cast<int64_t>(0xFFFFFFFFu - static_cast<uint32_t>(keys_[i]));
    }
    return out;
  }

 private:
  void Cut() {
    std::nth_element(keys_.begin(), keys_.begin() + (k_ - 1), keys_.end(), std::greater<uint64_t>());
    keys_.resize(k_);
    const int32_t kth = static_cast<int32_t>(static_cast<uint32_t>(keys_[k_ - 1] >> 32) ^ 0x80000000u);
    threshold_ = std::max(threshold_, kth == std::numeric_limits<int32_t>::max() ? kth : kth + 1);
  }

  size_t k_;
  int64_t base_;
  int32_t threshold_;
  std::vector<uint64_t> keys_;
};

}  // namespace sk::kernels
