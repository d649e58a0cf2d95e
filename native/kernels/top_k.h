// The k best (score, id) pairs of a stream, ranked by score (higher first) with ties broken
// by the lower id, and NaN ranked below every number: the order every search returns.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
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

// The k best of a stream of integer scores whose ids arrive in increasing order (one search
// task), for kernels that pre-filter by threshold(): passing candidates are appended to a
// buffer of 2k and cut back to the best k (nth_element) when it fills, so each one costs an
// append rather than a heap update. Exact, ties going to the lower id: a newcomer with a
// higher id must score strictly above the k-th kept to rank ahead of it.
template <typename Score>
class BufferedTopK {
  static_assert(std::is_integral_v<Score>, "integer scores only (no NaN ordering)");

 public:
  explicit BufferedTopK(size_t k = 0) : k_(k) { buffer_.reserve(2 * k); }

  // The score a newcomer must reach; the type's lowest until k are kept.
  Score threshold() const { return threshold_; }

  void Offer(Score score, int64_t id) {
    if (score < threshold_) return;
    buffer_.push_back({score, id});
    if (buffer_.size() >= 2 * k_) Cut();
  }

  // Cuts back to the best k, ranked; call once after the stream ends.
  const std::vector<Candidate<Score>>& items() {
    if (buffer_.size() > k_) Cut();
    return buffer_;
  }

 private:
  void Cut() {
    std::nth_element(buffer_.begin(), buffer_.begin() + (k_ - 1), buffer_.end(), RanksAhead<Score>);
    buffer_.resize(k_);
    const Score kth = buffer_[k_ - 1].score;
    threshold_ = kth == std::numeric_limits<Score>::max() ? kth : kth + 1;
  }

  size_t k_;
  Score threshold_ = std::numeric_limits<Score>::lowest();
  std::vector<Candidate<Score>> buffer_;
};

}  // namespace sk::kernels
