#include "tokenizer/grapheme.h"

#include "tokenizer/unicode.h"

namespace sk::tok::unicode {
namespace {

using data::Grapheme;
using data::Incb;

struct Properties {
  Grapheme grapheme;
  Incb incb;
  bool pictographic;
};

Properties Lookup(char32_t c) {
  const uint32_t classes = Classes(c);
  return {static_cast<Grapheme>(classes >> data::kGraphemeShift & 15), static_cast<Incb>(classes >> data::kIncbShift & 3),
          (classes & data::kPictographic) != 0};
}

bool IsControl(Grapheme g) { return g == Grapheme::kControl || g == Grapheme::kCR || g == Grapheme::kLF; }

}  // namespace

size_t GraphemeEnd(std::u32string_view text, size_t begin) {
  Properties previous = Lookup(text[begin]);
  // What the rules that look further back than one character need to know.
  bool emoji = previous.pictographic;   // GB11: Extended_Pictographic Extend* so far
  bool emoji_zwj = false;               // ... and then a ZWJ
  enum class Conjunct { kNone, kConsonant, kLinked } conjunct =  // GB9c
      previous.incb == Incb::kConsonant ? Conjunct::kConsonant : Conjunct::kNone;
  size_t regional = previous.grapheme == Grapheme::kRegionalIndicator ? 1 : 0;  // GB12, GB13
  for (size_t i = begin + 1; i < text.size(); ++i) {
    const Properties next = Lookup(text[i]);
    const Grapheme a = previous.grapheme, b = next.grapheme;
    bool join;
    if (a == Grapheme::kCR && b == Grapheme::kLF) join = true;                        // GB3
    else if (IsControl(a) || IsControl(b)) join = false;                              // GB4, GB5
    else if (a == Grapheme::kL && (b == Grapheme::kL || b == Grapheme::kV || b == Grapheme::kLV || b == Grapheme::kLVT))
      join = true;                                                                    // GB6
    else if ((a == Grapheme::kLV || a == Grapheme::kV) && (b == Grapheme::kV || b == Grapheme::kT)) join = true;  // GB7
    else if ((a == Grapheme::kLVT || a == Grapheme::kT) && b == Grapheme::kT) join = true;                      // GB8
    else if (b == Grapheme::kExtend || b == Grapheme::kZWJ || b == Grapheme::kSpacingMark) join = true;  // GB9, GB9a
    else if (a == Grapheme::kPrepend) join = true;                                                      // GB9b
    else if (next.incb == Incb::kConsonant && conjunct == Conjunct::kLinked) join = true;               // GB9c
    else if (emoji_zwj && next.pictographic) join = true;                                               // GB11
    else if (a == Grapheme::kRegionalIndicator && b == Grapheme::kRegionalIndicator) join = regional % 2 == 1;  // GB12, GB13
    else join = false;                                                                                  // GB999
    if (!join) return i;
    emoji_zwj = emoji && b == Grapheme::kZWJ;
    emoji = next.pictographic || (emoji && b == Grapheme::kExtend);
    if (next.incb == Incb::kConsonant) conjunct = Conjunct::kConsonant;
    else if (next.incb == Incb::kLinker && conjunct != Conjunct::kNone) conjunct = Conjunct::kLinked;
    else if (next.incb != Incb::kExtend) conjunct = Conjunct::kNone;
    regional = b == Grapheme::kRegionalIndicator ? regional + 1 : 0;
    previous = next;
  }
  return text.size();
}

}  // namespace sk::tok::unicode
