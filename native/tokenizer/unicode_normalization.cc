// NFD, NFKD, NFC and NFKC (UAX #15) over the generated tables: full decompositions of each
// code point, canonical combining classes and composition pairs, all as the reference's
// unicode-normalization-alignments has them (older than the Unicode a current library knows:
// it leaves characters added since alone).
#include <algorithm>
#include <vector>

#include "tokenizer/unicode.h"
#include "tokenizer/unicode_mapping.h"

namespace sk::tok::unicode {
namespace {

// Hangul syllables decompose and compose by arithmetic, not by table.
constexpr char32_t kSyllableBase = 0xAC00, kLeadBase = 0x1100, kVowelBase = 0x1161, kTrailBase = 0x11A7;
constexpr char32_t kLeadCount = 19, kVowelCount = 21, kTrailCount = 28;
constexpr char32_t kBlockCount = kVowelCount * kTrailCount, kSyllableCount = kLeadCount * kBlockCount;

inline uint16_t NormInfo(char32_t c) {
  if (c > 0x10FFFF) return 0;
  return data::kNormBlocks[static_cast<size_t>(data::kNormIndex[c >> 7]) * 128 + (c & 127)];
}

inline int CombiningClass(char32_t c) { return NormInfo(c) & 0xFF; }

void Decompose(char32_t c, bool compat, std::u32string* out) {
  const uint16_t info = NormInfo(c);
  if (compat && (info & data::kHasCompat)) {
    AppendMapping(data::kCompat, c, out);
  } else if (!(info & data::kHasCanonical)) {
    out->push_back(c);
  } else if (c >= kSyllableBase && c < kSyllableBase + kSyllableCount) {
    const char32_t index = c - kSyllableBase;
    out->push_back(kLeadBase + index / kBlockCount);
    out->push_back(kVowelBase + index % kBlockCount / kTrailCount);
    if (index % kTrailCount != 0) out->push_back(kTrailBase + index % kTrailCount);
  } else {
    AppendMapping(data::kCanonical, c, out);
  }
}

// Canonical ordering: each run of non-starters stably sorted by combining class.
void Reorder(std::u32string* text) {
  std::vector<uint8_t> classes(text->size());
  for (size_t i = 0; i < text->size(); ++i) classes[i] = static_cast<uint8_t>(CombiningClass((*text)[i]));
  for (size_t i = 1; i < text->size(); ++i) {
    const uint8_t moving = classes[i];
    if (moving == 0 || classes[i - 1] <= moving) continue;
    const char32_t c = (*text)[i];
    size_t j = i;
    for (; j > 0 && classes[j - 1] > moving; --j) {  // a starter (class 0) stops the run
      (*text)[j] = (*text)[j - 1];
      classes[j] = classes[j - 1];
    }
    (*text)[j] = c;
    classes[j] = moving;
  }
}

bool Compose(char32_t first, char32_t second, char32_t* composite) {
  if (first >= kLeadBase && first < kLeadBase + kLeadCount && second >= kVowelBase && second < kVowelBase + kVowelCount) {
    *composite = kSyllableBase + ((first - kLeadBase) * kVowelCount + (second - kVowelBase)) * kTrailCount;
    return true;
  }
  if (first >= kSyllableBase && first < kSyllableBase + kSyllableCount && (first - kSyllableBase) % kTrailCount == 0 &&
      second > kTrailBase && second < kTrailBase + kTrailCount) {
    *composite = first + (second - kTrailBase);
    return true;
  }
  const uint64_t key = static_cast<uint64_t>(first) << 21 | second;
  const uint64_t* end = data::kCompositionKeys + std::size(data::kCompositionKeys);
  const uint64_t* found = std::lower_bound(data::kCompositionKeys, end, key);
  if (found == end || *found != key) return false;
  *composite = data::kCompositeOf[found - data::kCompositionKeys];
  return true;
}

// Canonical composition: each character joins the last starter when nothing between them
// blocks it (a starter, or a mark of the same or a higher class).
std::u32string Recompose(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  size_t starter = std::u32string::npos;
  int last_class = 0;  // of the last character kept after the starter
  for (char32_t c : text) {
    const uint16_t info = NormInfo(c);
    const int combining = info & 0xFF;
    if (starter != std::u32string::npos && (info & data::kComposesSecond)) {
      const bool adjacent = out.size() == starter + 1;
      char32_t composite = 0;
      if ((adjacent || (last_class != 0 && last_class < combining)) && Compose(out[starter], c, &composite)) {
        out[starter] = composite;
        continue;
      }
    }
    if (combining == 0) starter = out.size();
    last_class = combining;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::u32string Normalize(const std::u32string& text, Form form) {
  const bool compat = form == Form::kNFKC || form == Form::kNFKD;
  const bool compose = form == Form::kNFC || form == Form::kNFKC;
  // Text without decompositions, marks or second halves of a composition comes out as it went in.
  const uint16_t affected = 0xFF | data::kHasCanonical | (compat ? data::kHasCompat : 0) |
                            (compose ? data::kComposesSecond : 0);
  bool unchanged = true;
  for (char32_t c : text) {
    if (c >= 0xA0 && (NormInfo(c) & affected)) {
      unchanged = false;
      break;
    }
  }
  if (unchanged) return text;
  std::u32string decomposed;
  decomposed.reserve(text.size() + 8);
  for (char32_t c : text) Decompose(c, compat, &decomposed);
  Reorder(&decomposed);
  return compose ? Recompose(decomposed) : decomposed;
}

void NormalizeChanges(const std::u32string& text, Form form, std::vector<Change>* out) {
  const bool compat = form == Form::kNFKC || form == Form::kNFKD;
  const bool compose = form == Form::kNFC || form == Form::kNFKC;
  out->clear();
  // unicode-normalization-alignments' bookkeeping: a character's decomposition replaces it
  // (the first) and inserts the rest; reordering moves the changes with the characters; a
  // composition adds the absorbed character's change to its starter's, less one.
  std::u32string one;
  for (char32_t c : text) {
    one.clear();
    Decompose(c, compat, &one);
    for (size_t i = 0; i < one.size(); ++i) out->push_back({one[i], i == 0 ? 0 : 1});
  }
  auto& changes = *out;
  for (size_t i = 1; i < changes.size(); ++i) {
    const int moving = CombiningClass(changes[i].c);
    if (moving == 0 || CombiningClass(changes[i - 1].c) <= moving) continue;
    const Change entry = changes[i];
    size_t j = i;
    for (; j > 0 && CombiningClass(changes[j - 1].c) > moving; --j) changes[j] = changes[j - 1];
    changes[j] = entry;
  }
  if (!compose) return;
  std::vector<Change> composed;
  composed.reserve(changes.size());
  size_t starter = SIZE_MAX;
  int last_class = 0;
  for (const Change& entry : changes) {
    const uint16_t info = NormInfo(entry.c);
    const int combining = info & 0xFF;
    if (starter != SIZE_MAX && (info & data::kComposesSecond)) {
      const bool adjacent = composed.size() == starter + 1;
      char32_t composite = 0;
      if ((adjacent || (last_class != 0 && last_class < combining)) && Compose(composed[starter].c, entry.c, &composite)) {
        composed[starter].c = composite;
        composed[starter].change += entry.change - 1;
        continue;
      }
    }
    if (combining == 0) starter = composed.size();
    last_class = combining;
    composed.push_back(entry);
  }
  *out = std::move(composed);
}

}  // namespace sk::tok::unicode
