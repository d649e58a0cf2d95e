#include "tokenizer/regex_classes.h"

#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "tokenizer/unicode.h"

namespace sk::tok {
namespace {

// A Unicode class: a set of general categories (bit i: unicode_data.h's kCategoryNames[i]), or
// one of \s \w \d.
constexpr uint64_t kSpace = 1ull << 32, kWord = 1ull << 33, kDigit = 1ull << 34;

uint64_t Categories(std::initializer_list<const char*> names) {
  uint64_t key = 0;
  for (const char* name : names) {
    for (int i = 0; i < unicode::data::kCategoryCount; ++i) {
      if (std::strcmp(unicode::data::kCategoryNames[i], name) == 0) key |= 1ull << i;
    }
  }
  return key;
}

// The class a \p name stands for; 0 when it is none we know.
uint64_t NamedClass(std::string_view name) {
  for (int i = 0; i < unicode::data::kCategoryCount; ++i) {
    if (name == unicode::data::kCategoryNames[i]) return 1ull << i;
  }
  if (name == "L") return Categories({"Lu", "Ll", "Lt", "Lm", "Lo"});
  if (name == "LC" || name == "L&") return Categories({"Lu", "Ll", "Lt"});
  if (name == "M") return Categories({"Mn", "Mc", "Me"});
  if (name == "N") return Categories({"Nd", "Nl", "No"});
  if (name == "P") return Categories({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"});
  if (name == "S") return Categories({"Sm", "Sc", "Sk", "So"});
  if (name == "Z") return Categories({"Zs", "Zl", "Zp"});
  if (name == "C") return Categories({"Cc", "Cf", "Cs", "Co", "Cn"});
  return 0;
}

// Oniguruma's answer, from the generated tables.
bool ReferenceContains(uint64_t key, char32_t c) {
  if (key == kSpace) return unicode::IsRegexSpace(c);
  if (key == kWord) return unicode::IsRegexWord(c);
  if (key == kDigit) return unicode::IsRegexDigit(c);
  return key >> unicode::RegexCategory(c) & 1;
}

// Every scalar value in order, as UTF-8: PCRE2's classes are read off it.
const std::string& AllScalarValues() {
  static const std::string text = [] {
    std::string all;
    all.reserve(0x80 + 0x780 * 2 + 0xF000 * 3 + 0x100000 * 4);
    for (char32_t c = 0; c <= 0x10FFFF; ++c) {
      if (c < 0x80) {
        all += static_cast<char>(c);
      } else if (c < 0x800) {
        all += static_cast<char>(0xC0 | c >> 6);
        all += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        all += static_cast<char>(0xE0 | c >> 12);
        all += static_cast<char>(0x80 | (c >> 6 & 0x3F));
        all += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        all += static_cast<char>(0xF0 | c >> 18);
        all += static_cast<char>(0x80 | (c >> 12 & 0x3F));
        all += static_cast<char>(0x80 | (c >> 6 & 0x3F));
        all += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return all;
  }();
  return text;
}

// How PCRE2 divides the code points among a family of classes that do not overlap: runs, each
// its first code point and the index of its class (kUnknown where none matched).
struct Partition {
  static constexpr uint8_t kUnknown = 255;
  std::vector<char32_t> starts;
  std::vector<uint8_t> classes;

  uint8_t At(char32_t c) const {
    const auto run = std::upper_bound(starts.begin(), starts.end(), c);
    return run == starts.begin() ? kUnknown : classes[static_cast<size_t>(run - starts.begin()) - 1];
  }
};

// Matches "(A++)|(B++)|..." through every scalar value: one match per run, so a few thousand
// calls read PCRE2's answer for all of them.
Partition ReadPartition(const std::vector<std::string>& classes) {
  Partition partition;
  std::string pattern;
  for (const std::string& c : classes) pattern += (pattern.empty() ? "(" : "|(") + c + "++)";
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                   &error, &error_offset, nullptr);
  if (code == nullptr) return partition;
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(code, nullptr);
  const std::string& all = AllScalarValues();
  size_t offset = 0;
  while (offset < all.size()) {
    const int found = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(all.data()), all.size(), offset, PCRE2_NO_UTF_CHECK,
                                  match, nullptr);
    const PCRE2_SIZE* vector = pcre2_get_ovector_pointer(match);
    const size_t begin = found > 0 ? vector[0] : all.size();
    if (begin > offset) {  // characters no class took
      size_t at = offset;
      partition.starts.push_back(utf8::Next(all, &at));
      partition.classes.push_back(Partition::kUnknown);
    }
    if (found <= 0) break;
    size_t at = begin;
    partition.starts.push_back(utf8::Next(all, &at));
    partition.classes.push_back(static_cast<uint8_t>(found - 2));  // group i + 1 matched: class i
    offset = vector[1];
  }
  pcre2_match_data_free(match);
  pcre2_code_free(code);
  return partition;
}

const Partition& PcreCategories() {
  static const Partition partition = [] {
    std::vector<std::string> classes;
    for (int i = 0; i < unicode::data::kCategoryCount; ++i) {
      classes.push_back(std::string("\\p{") + unicode::data::kCategoryNames[i] + "}");
    }
    return ReadPartition(classes);
  }();
  return partition;
}

// \s \w \d: class 1 the members, 0 the others.
const Partition& PcreEscape(uint64_t key) {
  if (key == kSpace) {
    static const Partition space = ReadPartition({"\\S", "\\s"});
    return space;
  }
  if (key == kWord) {
    static const Partition word = ReadPartition({"\\W", "\\w"});
    return word;
  }
  static const Partition digit = ReadPartition({"\\D", "\\d"});
  return digit;
}

bool IsEscape(uint64_t key) { return key == kSpace || key == kWord || key == kDigit; }

bool PcreContains(uint64_t key, char32_t c) {
  const uint8_t value = (IsEscape(key) ? PcreEscape(key) : PcreCategories()).At(c);
  return value != Partition::kUnknown && (IsEscape(key) ? value == 1 : (key >> value & 1) != 0);
}

// Where PCRE2 and Oniguruma disagree on a class, in order; once per class per process.
const std::vector<char32_t>& Disagreements(uint64_t key) {
  static std::mutex mutex;
  static std::map<uint64_t, std::vector<char32_t>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto [entry, inserted] = cache.try_emplace(key);
  if (!inserted) return entry->second;
  const Partition& partition = IsEscape(key) ? PcreEscape(key) : PcreCategories();
  size_t run = 0;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    while (run + 1 < partition.starts.size() && partition.starts[run + 1] <= c) ++run;
    const uint8_t value =
        partition.starts.empty() || partition.starts[run] > c ? Partition::kUnknown : partition.classes[run];
    const bool pcre = value != Partition::kUnknown && (IsEscape(key) ? value == 1 : (key >> value & 1) != 0);
    if (pcre != ReferenceContains(key, c)) entry->second.push_back(c);
  }
  return entry->second;
}

// One single-character matcher of the pattern: a class escape, or a bracket expression.
struct Atom {
  struct Item {
    char32_t first = 0, last = 0;  // a character or a range, when `key` is 0
    uint64_t key = 0;
    bool negated = false;
  };
  bool negated = false;
  bool readable = true;  // false: holds something we do not evaluate; left as written
  std::vector<Item> items;

  bool HasClasses() const {
    return std::any_of(items.begin(), items.end(), [](const Item& item) { return item.key != 0; });
  }
  bool Contains(char32_t c, bool reference) const {
    for (const Item& item : items) {
      const bool in = item.key == 0 ? c >= item.first && c <= item.last
                                    : (reference ? ReferenceContains(item.key, c) : PcreContains(item.key, c)) != item.negated;
      if (in) return !negated;
    }
    return negated;
  }
};

// A class escape at pattern[i] (the backslash): \p{Name} \p{^Name} \pX \P.. \s \S \w \W \d \D.
// False when it is none, or names a class we do not know (`*end` is past it either way).
bool ReadClassEscape(const std::string& pattern, size_t i, size_t* end, Atom::Item* item) {
  const char e = pattern[i + 1];
  *end = i + 2;
  if (e == 's' || e == 'S') *item = {0, 0, kSpace, e == 'S'};
  else if (e == 'w' || e == 'W') *item = {0, 0, kWord, e == 'W'};
  else if (e == 'd' || e == 'D') *item = {0, 0, kDigit, e == 'D'};
  if (item->key != 0) return true;
  if (e != 'p' && e != 'P') return false;
  const size_t pos = i + 2;
  if (pos >= pattern.size()) return false;
  std::string_view name;
  if (pattern[pos] == '{') {
    const size_t close = pattern.find('}', pos);
    if (close == std::string::npos) return false;
    name = std::string_view(pattern).substr(pos + 1, close - pos - 1);
    *end = close + 1;
  } else {
    name = std::string_view(pattern).substr(pos, 1);
    *end = pos + 1;
  }
  bool negated = e == 'P';
  if (!name.empty() && name[0] == '^') {
    negated = !negated;
    name.remove_prefix(1);
  }
  item->key = NamedClass(name);
  item->negated = negated;
  return item->key != 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A character escape inside brackets at pattern[i]; false for escapes that stand for a class
// or that we do not read (\h \v \N \R, octal, back references...).
bool ReadCharEscape(const std::string& pattern, size_t i, size_t* end, char32_t* c) {
  const char e = pattern[i + 1];
  *end = i + 2;
  switch (e) {
    case 'n': *c = '\n'; return true;
    case 'r': *c = '\r'; return true;
    case 't': *c = '\t'; return true;
    case 'f': *c = '\f'; return true;
    case 'e': *c = 0x1B; return true;
    case 'a': *c = 0x07; return true;
    case 'b': *c = 0x08; return true;
    case 'x': {
      size_t pos = i + 2;
      char32_t value = 0;
      if (pos < pattern.size() && pattern[pos] == '{') {
        const size_t close = pattern.find('}', pos);
        if (close == std::string::npos || close == pos + 1 || close - pos > 7) return false;
        for (size_t k = pos + 1; k < close; ++k) {
          const int digit = HexValue(pattern[k]);
          if (digit < 0) return false;
          value = value * 16 + static_cast<char32_t>(digit);
        }
        *end = close + 1;
      } else {
        for (int k = 0; k < 2 && pos < pattern.size() && HexValue(pattern[pos]) >= 0; ++k, ++pos) {
          value = value * 16 + static_cast<char32_t>(HexValue(pattern[pos]));
        }
        *end = pos;
      }
      *c = value;
      return value <= 0x10FFFF;
    }
    default:
      break;
  }
  const unsigned char lead = static_cast<unsigned char>(e);
  if (lead < 0x80 && (std::isalnum(lead) != 0)) return false;
  size_t pos = i + 1;
  *c = utf8::Next(pattern, &pos);
  *end = pos;
  return true;
}

// One character of a bracket expression at pattern[*i] (an escape or a literal); false for a
// class escape or an escape we do not read.
bool ReadBracketChar(const std::string& pattern, size_t* i, char32_t* c) {
  if (pattern[*i] == '\\' && *i + 1 < pattern.size()) {
    size_t end = 0;
    if (!ReadCharEscape(pattern, *i, &end, c)) return false;
    *i = end;
    return true;
  }
  *c = utf8::Next(pattern, i);
  return true;
}

// Reads the bracket expression at pattern[i] ('['); returns the index past its ']', or npos
// when it is not closed.
size_t ReadBracket(const std::string& pattern, size_t i, Atom* atom) {
  const size_t n = pattern.size();
  size_t j = i + 1;
  if (j < n && pattern[j] == '^') {
    atom->negated = true;
    ++j;
  }
  bool first = true;
  while (j < n) {
    const char c = pattern[j];
    if (c == ']' && !first) return j + 1;
    first = false;
    if (c == '[' && j + 1 < n && pattern[j + 1] == ':') {  // a POSIX class: [:alpha:]
      const size_t close = pattern.find(":]", j + 2);
      if (close != std::string::npos) {
        atom->readable = false;
        j = close + 2;
        continue;
      }
    }
    if (c == '\\' && j + 1 < n) {
      Atom::Item item;
      size_t end = 0;
      if (ReadClassEscape(pattern, j, &end, &item)) {
        atom->items.push_back(item);
        j = end;
        continue;
      }
      if (pattern[j + 1] == 'p' || pattern[j + 1] == 'P') {  // a property we do not know
        atom->readable = false;
        j = end;
        continue;
      }
    }
    char32_t low = 0;
    const size_t at = j;
    if (!ReadBracketChar(pattern, &j, &low)) {
      atom->readable = false;
      j = at + 2;
      continue;
    }
    char32_t high = low;
    if (j + 1 < n && pattern[j] == '-' && pattern[j + 1] != ']') {
      size_t next = j + 1;
      if (ReadBracketChar(pattern, &next, &high)) {
        j = next;
      } else {
        atom->readable = false;
        j = next + 2;
        continue;
      }
    }
    atom->items.push_back({low, high, 0, false});
  }
  return std::string::npos;
}

void AppendRanges(const std::vector<char32_t>& points, std::string* out) {
  char buffer[32];
  for (size_t i = 0; i < points.size();) {
    size_t j = i;
    while (j + 1 < points.size() && points[j + 1] == points[j] + 1) ++j;
    std::snprintf(buffer, sizeof(buffer), "\\x{%X}", static_cast<unsigned>(points[i]));
    *out += buffer;
    if (j > i) {
      std::snprintf(buffer, sizeof(buffer), "-\\x{%X}", static_cast<unsigned>(points[j]));
      *out += buffer;
    }
    i = j + 1;
  }
}

// The atom corrected where PCRE2 and Oniguruma disagree on its classes (they can differ only
// where one of its classes does); the code points where they disagree go to `affected`. `text`
// is the atom as written: a bracket expression, or a lone escape.
void AppendAtom(const Atom& atom, std::string_view text, bool bracket, std::string* out,
                std::vector<char32_t>* affected) {
  std::vector<char32_t> candidates;
  for (const Atom::Item& item : atom.items) {
    if (item.key == 0) continue;
    const std::vector<char32_t>& points = Disagreements(item.key);
    candidates.insert(candidates.end(), points.begin(), points.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<char32_t> excluded, added;  // PCRE2 would take, would leave
  for (char32_t c : candidates) {
    const bool reference = atom.Contains(c, true);
    if (reference != atom.Contains(c, false)) (reference ? added : excluded).push_back(c);
  }
  if (excluded.empty() && added.empty()) {
    *out += text;
    return;
  }
  affected->insert(affected->end(), excluded.begin(), excluded.end());
  affected->insert(affected->end(), added.begin(), added.end());
  bool negated = atom.negated;
  std::string items;  // what stands between "[" or "[^" and "]"
  if (bracket) {
    const size_t open = negated ? 2 : 1;
    items.assign(text.substr(open, text.size() - open - 1));
  } else {
    // \P{X} \S \W \D become [^\p{X}] [^\s] [^\w] [^\d]; the others stand in a bracket as written.
    const char escape = text[1];
    const bool caret = text.size() > 3 && text[2] == '{' && text[3] == '^';
    items.assign(text);
    negated = (escape == 'P' && !caret) || escape == 'S' || escape == 'W' || escape == 'D';
    if (negated) items[1] = static_cast<char>(std::tolower(static_cast<unsigned char>(escape)));
  }
  // What a negated class must not take goes inside its brackets; the rest are alternatives (a
  // class of added code points tried only after the original fails) and lookaheads.
  *out += "(?:";
  if (!negated && !excluded.empty()) {
    *out += "(?![";
    AppendRanges(excluded, out);
    *out += "])";
  }
  *out += negated ? "[^" : "[";
  *out += items;
  if (negated) AppendRanges(excluded, out);
  *out += ']';
  if (!added.empty()) {
    *out += "|[";
    AppendRanges(added, out);
    *out += ']';
  }
  *out += ')';
}

}  // namespace

PatchedPattern PatchUnicodeClasses(const std::string& pattern) {
  PatchedPattern patched;
  std::string& out = patched.pattern;
  out.reserve(pattern.size() + 64);
  const size_t n = pattern.size();
  size_t i = 0;
  while (i < n) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < n) {
      if (pattern[i + 1] == 'Q') {  // quoted to the next \E
        const size_t close = pattern.find("\\E", i + 2);
        const size_t end = close == std::string::npos ? n : close + 2;
        out.append(pattern, i, end - i);
        i = end;
        continue;
      }
      Atom atom;
      Atom::Item item;
      size_t end = 0;
      if (ReadClassEscape(pattern, i, &end, &item)) {
        atom.items.push_back(item);
        AppendAtom(atom, std::string_view(pattern).substr(i, end - i), false, &out, &patched.affected);
        i = end;
        continue;
      }
      // Any other escape: the backslash and the character after it, as written.
      size_t next = i + 1;
      utf8::Next(pattern, &next);
      out.append(pattern, i, next - i);
      i = next;
      continue;
    }
    if (c == '[') {
      Atom atom;
      const size_t end = ReadBracket(pattern, i, &atom);
      if (end == std::string::npos) {  // unclosed: PCRE2 reports it
        out.append(pattern, i, std::string::npos);
        break;
      }
      const std::string_view text = std::string_view(pattern).substr(i, end - i);
      if (atom.readable && atom.HasClasses()) AppendAtom(atom, text, true, &out, &patched.affected);
      else out += text;
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  std::sort(patched.affected.begin(), patched.affected.end());
  patched.affected.erase(std::unique(patched.affected.begin(), patched.affected.end()), patched.affected.end());
  return patched;
}

}  // namespace sk::tok
