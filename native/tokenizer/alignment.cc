#include "tokenizer/alignment.h"

#include <utility>

namespace sk::tok {

void Transform(AlignedPiece* piece, const std::vector<Change>& changes, size_t initial_removed) {
  const Alignments& old = piece->align;
  AlignedPiece result;
  result.text.reserve(changes.size());
  result.align.reserve(changes.size());
  size_t offset = initial_removed;  // input characters consumed
  for (const Change& change : changes) {
    CharSpan span;
    if (change.change > 0) {
      // Inserted: aligned with the character before (none at the very start).
      if (offset > 0) span = old[offset - 1];
      else if (!old.empty()) span = {old[0].begin, old[0].begin};
    } else {
      span = offset < old.size() ? old[offset] : (old.empty() ? CharSpan{} : old.back());
      offset += 1 + static_cast<size_t>(-change.change);
    }
    result.text.push_back(change.c);
    result.align.push_back(span);
  }
  *piece = std::move(result);
}

void AppendReplacement(std::vector<Change>* changes, size_t old_count, const std::u32string& replacement) {
  for (char32_t c : replacement) changes->push_back({c, 0});
  const auto diff = static_cast<int64_t>(replacement.size()) - static_cast<int64_t>(old_count);
  if (diff > 0) {
    for (size_t i = changes->size() - static_cast<size_t>(diff); i < changes->size(); ++i) (*changes)[i].change = 1;
  } else if (diff < 0 && !changes->empty()) {
    changes->back().change += static_cast<int32_t>(diff);
  }
}

}  // namespace sk::tok
