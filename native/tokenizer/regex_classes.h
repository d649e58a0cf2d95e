// tokenizers compiles Split and Replace patterns with Oniguruma, whose \p{..} \s \w \d follow
// its own Unicode version; PCRE2 answers from another. Spelling every class out as ranges would
// make PCRE2 walk hundreds of ranges per character (it scans a class's list in order), so each
// class keeps PCRE2's own lookup and is corrected only on the code points where the two
// disagree (found from the generated tables and from PCRE2 itself, once per class per process).
#pragma once

#include <string>
#include <vector>

namespace sk::tok {

struct PatchedPattern {
  std::string pattern;
  // The code points the corrections are about, sorted: on text without any of them the pattern
  // as written matches exactly as the corrected one does.
  std::vector<char32_t> affected;
};

// `pattern` with each single-character class that names a Unicode class (\p{X} \P{X} \p{^X} \pX
// for a general category or its one-letter group or LC / L&, and \s \S \w \W \d \D), alone or in
// a bracket expression, matching what Oniguruma matches: code points PCRE2 would wrongly leave
// are an alternative class, those it would wrongly take a lookahead (or, for a negated class,
// more of its items). Classes the two engines agree on, and bracket expressions holding what we
// do not read (POSIX [:classes:], \h, \v, \N...), are left as written.
PatchedPattern PatchUnicodeClasses(const std::string& pattern);

}  // namespace sk::tok
