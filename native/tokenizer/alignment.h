// Where each character of a normalized text came from, as tokenizers' NormalizedString keeps
// it, so /tokenize can give every token its place in the input. tokenizers aligns bytes; we
// align code points (every byte of one normalized character shares its alignment there, so
// the two agree) and turn them into byte offsets at the edge.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sk::tok {

// [begin, end) in the input's code points.
struct CharSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

using Alignments = std::vector<CharSpan>;

// A piece of normalized text with the origin of each of its characters.
struct AlignedPiece {
  std::u32string text;
  Alignments align;
};

// One character of a transformation's output and its change, as NormalizedString::transform
// takes them: 0 replaces the next input character, +1 is inserted (aligned with the input
// character before it), -n replaces the next one and removes the n after it.
struct Change {
  char32_t c;
  int32_t change;
};

// tokenizers' NormalizedString::transform over the whole of `piece`: the first
// `initial_removed` characters go, then `changes` rewrites the rest.
void Transform(AlignedPiece* piece, const std::vector<Change>& changes, size_t initial_removed = 0);

// Appends the changes of `old_count` characters replaced by `replacement`, as tokenizers'
// Precompiled normalizer (and our composing forms) record them: one for one, the extra ones
// inserted, or the missing ones removed after the last character written (the one before, if
// the replacement is empty: tokenizers' quirk).
void AppendReplacement(std::vector<Change>* changes, size_t old_count, const std::u32string& replacement);

// Drops the characters of `piece` for which `drop` holds, with their alignments.
template <typename Predicate>
void DropChars(AlignedPiece* piece, Predicate drop) {
  size_t kept = 0;
  for (size_t i = 0; i < piece->text.size(); ++i) {
    if (drop(piece->text[i])) continue;
    piece->text[kept] = piece->text[i];
    piece->align[kept] = piece->align[i];
    ++kept;
  }
  piece->text.resize(kept);
  piece->align.resize(kept);
}

// The input span of normalized characters [begin, end): from the first one's start to the last
// one's end (tokenizers' expand_alignments); empty when the range is.
inline CharSpan SpanOf(const Alignments& align, size_t begin, size_t end) {
  if (end <= begin) return {};
  return {align[begin].begin, align[end - 1].end};
}

}  // namespace sk::tok
