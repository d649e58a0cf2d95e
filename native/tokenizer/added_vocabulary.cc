#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "core/utf8.h"
#include "tokenizer/components.h"
#include "tokenizer/unicode.h"

namespace sk::tok {

Status AddedVocabulary::Init(const JsonValue& added_tokens) {
  if (added_tokens.is_null()) return Status::Ok();
  if (!added_tokens.is_array()) return TokenizerError("added_tokens must be an array");
  for (const JsonValue& entry : added_tokens.array()) {
    const JsonValue* id = entry.Find("id");
    const JsonValue* content = entry.Find("content");
    if (id == nullptr || !id->is_integer() || content == nullptr || !content->is_string()) {
      return TokenizerError("every added token needs an integer 'id' and a string 'content'");
    }
    AddedToken token;
    token.id = id->integer();
    token.content = utf8::Decode(content->string());
    token.special = JsonBool(entry, "special", false);
    token.normalized = JsonBool(entry, "normalized", !token.special);
    token.lstrip = JsonBool(entry, "lstrip", false);
    token.rstrip = JsonBool(entry, "rstrip", false);
    token.single_word = JsonBool(entry, "single_word", false);
    if (token.content.empty()) continue;
    has_normalized_ = has_normalized_ || token.normalized;
    by_id_[token.id] = tokens_.size();
    tokens_.push_back(std::move(token));
  }
  first_char_bits_[0].assign(1024, 0);
  first_char_bits_[1].assign(1024, 0);
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const int table = tokens_[i].normalized ? 1 : 0;
    const char32_t first = tokens_[i].content[0];
    by_first_char_[table][first].push_back(i);
    if (first < 0x10000) first_char_bits_[table][first >> 6] |= uint64_t{1} << (first & 63);
  }
  for (auto& table : by_first_char_) {
    for (auto& [first, candidates] : table) {
      std::stable_sort(candidates.begin(), candidates.end(), [this](size_t a, size_t b) {
        return tokens_[a].content.size() > tokens_[b].content.size();
      });
    }
  }
  return Status::Ok();
}

void AddedVocabulary::Split(std::u32string text, bool normalized, std::vector<Segment>* out) const {
  const auto& table = by_first_char_[normalized ? 1 : 0];
  const auto& bits = first_char_bits_[normalized ? 1 : 0];
  if (table.empty()) {
    const auto size = static_cast<uint32_t>(text.size());
    if (!text.empty()) out->push_back({false, 0, std::move(text), 0, size});
    return;
  }
  size_t emitted = 0;  // text before this index has been emitted
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < 0x10000 && (bits[text[i] >> 6] >> (text[i] & 63) & 1) == 0) {
      ++i;
      continue;
    }
    const auto candidates = table.find(text[i]);
    const AddedToken* match = nullptr;
    if (candidates != table.end()) {
      for (size_t index : candidates->second) {
        const AddedToken& token = tokens_[index];
        if (text.compare(i, token.content.size(), token.content) != 0) continue;
        if (token.single_word) {
          const size_t end = i + token.content.size();
          const bool word_before = i > 0 && unicode::IsWordChar(text[i - 1]);
          const bool word_after = end < text.size() && unicode::IsWordChar(text[end]);
          if (word_before || word_after) continue;
        }
        match = &token;
        break;
      }
    }
    if (match == nullptr) {
      ++i;
      continue;
    }
    size_t start = i;
    size_t end = i + match->content.size();
    if (match->lstrip) while (start > emitted && unicode::IsWhitespace(text[start - 1])) --start;
    if (match->rstrip) while (end < text.size() && unicode::IsWhitespace(text[end])) ++end;
    if (start > emitted) {
      out->push_back({false, 0, text.substr(emitted, start - emitted), static_cast<uint32_t>(emitted), static_cast<uint32_t>(start)});
    }
    out->push_back({true, match->id, {}, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
    emitted = end;
    i = end;
  }
  const auto size = static_cast<uint32_t>(text.size());
  if (emitted == 0) {
    if (!text.empty()) out->push_back({false, 0, std::move(text), 0, size});  // no added token in it
  } else if (emitted < text.size()) {
    out->push_back({false, 0, text.substr(emitted), static_cast<uint32_t>(emitted), size});
  }
}

const AddedToken* AddedVocabulary::FindById(int64_t id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedVocabulary::FindByContent(const std::string& utf8_content) const {
  const std::u32string content = utf8::Decode(utf8_content);
  for (const AddedToken& token : tokens_) {
    if (token.content == content) return &token;
  }
  return nullptr;
}

}  // namespace sk::tok
