// The k best (score, id) pairs of a stream, ranked by score (higher first) with ties broken
// by the lower id, and NaN ranked below every number: the order every search returns.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
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

}  // namespace sk::kernels
