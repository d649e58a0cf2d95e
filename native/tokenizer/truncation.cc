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

Status Truncate(std::vector<int64_t>* first, std::vector<int64_t>* second, size_t budget,
                TruncationStrategy strategy, TruncationSide side) {
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
      // budget in two with the odd token going to the longer one.
      size_t n1 = first->size();
      size_t n2 = second->size();
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
