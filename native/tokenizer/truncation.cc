#include "tokenizer/truncation.h"

#include <algorithm>

namespace sk::tok {
namespace {

void Keep(std::vector<int64_t>* ids, size_t length, TruncationSide side) {
  if (ids->size() <= length) return;
  if (side == TruncationSide::kRight) {
    ids->resize(length);
  } else {
    ids->erase(ids->begin(), ids->end() - static_cast<std::ptrdiff_t>(length));
  }
}

}  // namespace

size_t SeenLength(const std::vector<SplitEnd>& splits, size_t max_length, TruncationSide side) {
  if (splits.empty()) return 0;
  const size_t total = splits.back().end;
  if (side == TruncationSide::kRight) {
    for (const SplitEnd& split : splits) {
      if (!split.added && split.end >= max_length) return split.end;
    }
    return total;
  }
  for (size_t i = splits.size(); i-- > 0;) {
    const size_t begin = i == 0 ? 0 : splits[i - 1].end;
    if (!splits[i].added && total - begin >= max_length) return total - begin;
  }
  return total;
}

Status Truncate(std::vector<int64_t>* first, std::vector<int64_t>* second, size_t budget, size_t first_seen,
                size_t second_seen, TruncationStrategy strategy, TruncationSide side) {
  const size_t total = first->size() + (second ? second->size() : 0);
  if (total <= budget) return Status::Ok();
  if (second == nullptr) {
    if (strategy == TruncationStrategy::kOnlySecond) {
      return InvalidArgument("truncation only_second needs a pair of texts");
    }
    Keep(first, budget, side);
    return Status::Ok();
  }
  const size_t to_remove = total - budget;
  switch (strategy) {
    case TruncationStrategy::kLongestFirst: {
      // With n1 the shorter: keep it whole when it fits in half the budget, else split the
      // budget in two with the odd token going to the longer one (the second on a tie).
      size_t n1 = first_seen;
      size_t n2 = second_seen;
      const bool swapped = n1 > n2;
      if (swapped) std::swap(n1, n2);
      if (n1 > budget / 2) {
        n1 = budget / 2;
        n2 = n1 + budget % 2;
      } else {
        n2 = budget - n1;
      }
      if (swapped) std::swap(n1, n2);
      Keep(first, n1, side);
      Keep(second, n2, side);
      return Status::Ok();
    }
    case TruncationStrategy::kOnlyFirst:
      if (first->size() <= to_remove) {
        return InvalidArgument("the first text is too short to truncate to max_length with only_first");
      }
      Keep(first, first->size() - to_remove, side);
      return Status::Ok();
    case TruncationStrategy::kOnlySecond:
      if (second->size() <= to_remove) {
        return InvalidArgument("the second text is too short to truncate to max_length with only_second");
      }
      Keep(second, second->size() - to_remove, side);
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace sk::tok
