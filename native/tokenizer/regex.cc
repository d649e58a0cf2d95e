#include "tokenizer/regex.h"

#include <pcre2.h>

#include "core/utf8.h"
#include "tokenizer/regex_classes.h"

namespace sk::tok {

namespace {

pcre2_code* CompileUtf(const std::string& pattern, int* error, PCRE2_SIZE* error_offset) {
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                   error, error_offset, nullptr);
  // JIT when this build of PCRE2 has it; matching works the same without.
  if (code != nullptr) pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return code;
}

}  // namespace

Status Regex::Compile(const std::string& pattern, std::unique_ptr<Regex>* out) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = CompileUtf(pattern, &error, &error_offset);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return TokenizerError("unsupported regex '" + pattern + "' (at offset " + std::to_string(error_offset) +
                          "): " + reinterpret_cast<const char*>(message));
  }
  out->reset(new Regex());
  Regex& regex = **out;
  regex.code_ = code;
  const PatchedPattern patched = PatchUnicodeClasses(pattern);
  // Should PCRE2 ever refuse a correction, the pattern as written runs on every text (it differs
  // from tokenizers only on the affected code points).
  if (!patched.affected.empty() && (regex.corrected_ = CompileUtf(patched.pattern, &error, &error_offset)) != nullptr) {
    regex.affected_.assign((0x110000 + 63) / 64, 0);
    for (char32_t c : patched.affected) regex.affected_[c >> 6] |= uint64_t{1} << (c & 63);
  }
  return Status::Ok();
}

Regex::~Regex() {
  pcre2_code_free(static_cast<pcre2_code*>(code_));
  pcre2_code_free(static_cast<pcre2_code*>(corrected_));
}

bool Regex::Affected(const std::u32string& text) const {
  if (corrected_ == nullptr) return false;
  for (char32_t c : text) {
    if (c < 0x110000 && (affected_[c >> 6] >> (c & 63) & 1)) return true;
  }
  return false;
}

void Regex::FindAll(const std::u32string& text, std::vector<std::pair<size_t, size_t>>* out) const {
  thread_local std::string subject;
  subject.clear();
  for (char32_t c : text) utf8::Append(c, &subject);

  // Byte offsets become code point indices by counting lead bytes from the last match on
  // (matches are few; most texts have none).
  size_t counted_bytes = 0;
  size_t counted_chars = 0;
  auto char_index = [&](size_t byte) {
    for (; counted_bytes < byte; ++counted_bytes) {
      if ((static_cast<unsigned char>(subject[counted_bytes]) & 0xC0) != 0x80) ++counted_chars;
    }
    return counted_chars;
  };

  auto* code = static_cast<pcre2_code*>(Affected(text) ? corrected_ : code_);
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(code, nullptr);
  size_t offset = 0;
  while (offset <= subject.size()) {
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), offset,
                               PCRE2_NO_UTF_CHECK, match, nullptr);
    if (rc < 0) break;
    const PCRE2_SIZE* vector = pcre2_get_ovector_pointer(match);
    const size_t begin = vector[0];
    const size_t end = vector[1];
    if (end < begin || begin < offset) break;  // \K tricks; not meaningful for splitting
    const size_t begin_char = char_index(begin);
    out->emplace_back(begin_char, char_index(end));
    if (end > begin) {
      offset = end;
    } else {
      // An empty match: move on by one character.
      if (begin >= subject.size()) break;
      offset = begin + utf8::SequenceLength(static_cast<unsigned char>(subject[begin]));
    }
  }
  pcre2_match_data_free(match);
}

std::string EscapeRegex(const std::string& literal) {
  std::string pattern = "\\Q";
  size_t pos = 0;
  // \Q...\E quotes everything except a literal "\E", which is spelled out.
  for (;;) {
    const size_t found = literal.find("\\E", pos);
    if (found == std::string::npos) break;
    pattern.append(literal, pos, found - pos);
    pattern += "\\E\\\\E\\Q";
    pos = found + 2;
  }
  pattern.append(literal, pos, std::string::npos);
  pattern += "\\E";
  return pattern;
}

}  // namespace sk::tok
