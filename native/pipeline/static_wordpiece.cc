#include "pipeline/static_wordpiece.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sk::pipeline {
namespace {

// Longer chunks are rare in text and go through the tokenizer, which handles any length.
constexpr size_t kMaxChunk = 128;

// Rust's char::is_ascii_punctuation, which BertPreTokenizer isolates (with Unicode's P* classes,
// none of them ASCII besides these).
bool IsAsciiPunctuation(unsigned char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

const JsonValue* Field(const JsonValue& object, const char* key) {
  return object.is_object() ? object.Find(key) : nullptr;
}

bool HasType(const JsonValue* component, const char* type) {
  const JsonValue* name = component != nullptr ? Field(*component, "type") : nullptr;
  return name != nullptr && name->is_string() && name->string() == type;
}

}  // namespace

uint64_t HashBytes(std::string_view bytes) {
  uint64_t hash = 0x9E3779B97F4A7C15ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    hash = (hash ^ word) * 0xBF58476D1CE4E5B9ull;
    hash ^= hash >> 31;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  hash = (hash ^ tail) * 0x94D049BB133111EBull;
  hash ^= hash >> 29;
  return hash | 1;
}

void AsciiWordPiece::PieceMap::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot());
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.hash == 0) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void AsciiWordPiece::PieceMap::Insert(std::string_view key, int64_t id) {
  if (Find(key) != nullptr) return;
  if ((used_ + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = HashBytes(key);
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].hash != 0) i = (i + 1) & mask;
  slots_[i] = Slot{hash, static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(key.size()), id};
  keys_.append(key.data(), key.size());
  ++used_;
  if (key.size() > longest_) longest_ = key.size();
}

const int64_t* AsciiWordPiece::PieceMap::Find(std::string_view key) const {
  if (slots_.empty()) return nullptr;
  const uint64_t hash = HashBytes(key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.hash == 0) return nullptr;
    if (slot.hash == hash && slot.size == key.size() && std::memcmp(keys_.data() + slot.begin, key.data(), key.size()) == 0) {
      return &slot.id;
    }
  }
}

std::unique_ptr<AsciiWordPiece> AsciiWordPiece::FromTokenizerJson(const JsonValue& document) {
  const JsonValue* normalizer = Field(document, "normalizer");
  const bool no_normalizer = normalizer == nullptr || normalizer->is_null();
  if (!no_normalizer && !HasType(normalizer, "BertNormalizer")) return nullptr;
  if (!HasType(Field(document, "pre_tokenizer"), "BertPreTokenizer")) return nullptr;
  const JsonValue* model = Field(document, "model");
  if (!HasType(model, "WordPiece")) return nullptr;
  const JsonValue* vocab = Field(*model, "vocab");
  if (vocab == nullptr || !vocab->is_object()) return nullptr;

  std::unique_ptr<AsciiWordPiece> fast(new AsciiWordPiece());
  if (!no_normalizer) {
    // BertNormalizer's default lowercases.
    const JsonValue* lowercase = Field(*normalizer, "lowercase");
    fast->lowercase_ = lowercase == nullptr || !lowercase->is_bool() || lowercase->bool_value();
  } else {
    fast->lowercase_ = false;
  }
  const JsonValue* prefix_value = Field(*model, "continuing_subword_prefix");
  const std::string prefix = prefix_value != nullptr && prefix_value->is_string() ? prefix_value->string() : "##";
  const JsonValue* max_chars = Field(*model, "max_input_chars_per_word");
  if (max_chars != nullptr && max_chars->is_integer() && max_chars->integer() >= 0) {
    fast->max_chars_ = static_cast<size_t>(max_chars->integer());
  }
  for (const auto& [token, id] : vocab->members()) {
    if (!id.is_integer()) return nullptr;
    fast->starts_.Insert(token, id.integer());
    if (token.size() > prefix.size() && token.compare(0, prefix.size(), prefix) == 0) {
      fast->continuations_.Insert(std::string_view(token).substr(prefix.size()), id.integer());
    }
  }
  const JsonValue* unk_value = Field(*model, "unk_token");
  const std::string unk = unk_value != nullptr && unk_value->is_string() ? unk_value->string() : "[UNK]";
  const int64_t* unk_id = fast->starts_.Find(unk);
  if (unk_id == nullptr) return nullptr;
  fast->unk_id_ = *unk_id;
  const JsonValue* added = Field(document, "added_tokens");
  if (added != nullptr && added->is_array()) {
    for (const JsonValue& token : added->array()) {
      const JsonValue* content = Field(token, "content");
      if (content == nullptr || !content->is_string()) return nullptr;
      if (content->string().empty()) continue;
      const unsigned char first = static_cast<unsigned char>(content->string()[0]);
      fast->added_first_[first] = true;
      if (first < 0x80) {
        fast->added_first_[static_cast<unsigned char>(std::tolower(first))] = true;
        fast->added_first_[static_cast<unsigned char>(std::toupper(first))] = true;
      }
    }
  }
  return fast;
}

void AsciiWordPiece::AppendWord(const char* word, size_t length, std::vector<int64_t>* ids) const {
  if (length > max_chars_) {
    ids->push_back(unk_id_);
    return;
  }
  const size_t first = ids->size();
  size_t start = 0;
  while (start < length) {
    const PieceMap& pieces = start == 0 ? starts_ : continuations_;
    size_t end = start + std::min(length - start, pieces.longest());
    const int64_t* id = nullptr;
    for (; end > start; --end) {
      id = pieces.Find(std::string_view(word + start, end - start));
      if (id != nullptr) break;
    }
    if (id == nullptr) {
      // One unknown part makes the whole word [UNK].
      ids->resize(first);
      ids->push_back(unk_id_);
      return;
    }
    ids->push_back(*id);
    start = end;
  }
}

bool AsciiWordPiece::Tokenize(std::string_view chunk, std::vector<int64_t>* ids) const {
  if (chunk.size() > kMaxChunk) return false;
  char folded[kMaxChunk];
  for (size_t i = 0; i < chunk.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(chunk[i]);
    if (c < 0x21 || c > 0x7E || added_first_[c]) return false;
    folded[i] = static_cast<char>(lowercase_ && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  size_t i = 0;
  while (i < chunk.size()) {
    if (IsAsciiPunctuation(static_cast<unsigned char>(folded[i]))) {
      AppendWord(folded + i, 1, ids);
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < chunk.size() && !IsAsciiPunctuation(static_cast<unsigned char>(folded[end]))) ++end;
    AppendWord(folded + i, end - i, ids);
    i = end;
  }
  return true;
}

}  // namespace sk::pipeline
