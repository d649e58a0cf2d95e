#include "pipeline/static_tokenizer.h"

#include <atomic>
#include <cstring>
#include <string>

#include "core/owned_tables.h"

namespace sk::pipeline {
namespace {

// Each component here maps characters on their own (BertNormalizer's cleaning, CJK spacing,
// accents and case; Unicode decomposition, which never joins a mark to a space) or splits
// pieces without looking past a space, so running it on a chunk gives the chunk's share of
// running it on the text. Composition (NFC / NFKC), Strip, Replace, Prepend and the
// precompiled normalizer can join or move text across a space and are left out.
bool LocalNormalizer(const JsonValue& normalizer) {
  if (normalizer.is_null()) return true;
  if (!normalizer.is_object()) return false;
  const JsonValue* type = normalizer.Find("type");
  if (type == nullptr || !type->is_string()) return false;
  const std::string& name = type->string();
  if (name == "Sequence") {
    const JsonValue* parts = normalizer.Find("normalizers");
    if (parts == nullptr || !parts->is_array()) return false;
    for (const JsonValue& part : parts->array()) {
      if (!LocalNormalizer(part)) return false;
    }
    return true;
  }
  return name == "BertNormalizer" || name == "Lowercase" || name == "NFD" || name == "NFKD" || name == "StripAccents";
}

// 0: a pre-tokenizer that may look across a space; 1: one that keeps spaces in its pieces but
// splits only within them (Punctuation, Digits); 2: one that splits at whitespace and drops it.
int PreTokenizerKind(const JsonValue& pre_tokenizer) {
  if (!pre_tokenizer.is_object()) return 0;
  const JsonValue* type = pre_tokenizer.Find("type");
  if (type == nullptr || !type->is_string()) return 0;
  const std::string& name = type->string();
  if (name == "BertPreTokenizer" || name == "Whitespace" || name == "WhitespaceSplit") return 2;
  if (name == "Punctuation" || name == "Digits") return 1;
  if (name != "Sequence") return 0;
  const JsonValue* parts = pre_tokenizer.Find("pretokenizers");
  if (parts == nullptr || !parts->is_array()) return 0;
  int kind = 1;
  for (const JsonValue& part : parts->array()) {
    const int part_kind = PreTokenizerKind(part);
    if (part_kind == 0) return 0;
    if (part_kind == 2) kind = 2;
  }
  return kind;
}

// Bounds per thread and tokenizer: the chunks AsciiWordPiece does not take (other scripts, or
// every chunk of a tokenizer it does not serve).
constexpr size_t kMaxChunkBytes = 48;
constexpr size_t kSlots = size_t{1} << 15;  // a power of two, twice kMaxChunks
constexpr size_t kMaxChunks = kSlots / 2;
constexpr size_t kTablesPerThread = 4;

struct Slot {
  uint64_t hash = 0;  // 0: empty
  uint32_t key_begin = 0;
  uint32_t key_size = 0;
  uint32_t ids_begin = 0;
  uint32_t ids_count = 0;
};

// Open addressing over chunk bytes; the keys and ids live in two arenas. Full means cleared.
struct ChunkTable {
  uint64_t serial = 0;
  uint64_t last_use = 0;
  size_t used = 0;
  std::vector<Slot> slots;
  std::string keys;
  std::vector<int64_t> ids;

  void Reset(uint64_t owner) {
    serial = owner;
    used = 0;
    slots.assign(kSlots, Slot());
    keys.clear();
    ids.clear();
  }

  // The slot holding `chunk`, or the empty slot where it belongs.
  Slot* Find(std::string_view chunk, uint64_t hash) {
    for (size_t i = hash & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
      Slot& slot = slots[i];
      if (slot.hash == 0) return &slot;
      if (slot.hash == hash && slot.key_size == chunk.size() &&
          std::memcmp(keys.data() + slot.key_begin, chunk.data(), chunk.size()) == 0) {
        return &slot;
      }
    }
  }

  void Store(Slot* slot, std::string_view chunk, uint64_t hash, const int64_t* chunk_ids, size_t count) {
    slot->hash = hash;
    slot->key_begin = static_cast<uint32_t>(keys.size());
    slot->key_size = static_cast<uint32_t>(chunk.size());
    slot->ids_begin = static_cast<uint32_t>(ids.size());
    slot->ids_count = static_cast<uint32_t>(count);
    keys.append(chunk.data(), chunk.size());
    ids.insert(ids.end(), chunk_ids, chunk_ids + count);
    ++used;
  }
};

thread_local OwnedTables<ChunkTable, kTablesPerThread> thread_tables;
std::atomic<uint64_t> next_serial{1};

}  // namespace

bool TokenizesSpaceChunksApart(const JsonValue& document) {
  if (!document.is_object()) return false;
  static const JsonValue kNull;
  const JsonValue* normalizer = document.Find("normalizer");
  const JsonValue* pre_tokenizer = document.Find("pre_tokenizer");
  if (!LocalNormalizer(normalizer != nullptr ? *normalizer : kNull)) return false;
  if (pre_tokenizer == nullptr || PreTokenizerKind(*pre_tokenizer) != 2) return false;
  // Added tokens are matched in the whole text before any split; one holding a space could
  // span two chunks. lstrip / rstrip / single_word only look at whitespace, which the
  // pre-tokenizers above drop either way.
  const JsonValue* added = document.Find("added_tokens");
  if (added != nullptr && added->is_array()) {
    for (const JsonValue& token : added->array()) {
      const JsonValue* content = token.Find("content");
      if (content == nullptr || !content->is_string() || content->string().find(' ') != std::string::npos) return false;
    }
  }
  return true;
}

StaticTokenizer::StaticTokenizer(const tok::Tokenizer* tokenizer, const tok::EncodeOptions& options,
                                 const JsonValue& document)
    : tokenizer_(tokenizer),
      options_(options),
      chunked_(TokenizesSpaceChunksApart(document)),
      ascii_(chunked_ ? AsciiWordPiece::FromTokenizerJson(document) : nullptr),
      serial_(next_serial.fetch_add(1)) {
  options_.add_special_tokens = false;
  options_.offsets = false;
  chunk_options_ = options_;
  chunk_options_.max_length = 0;
}

Status StaticTokenizer::ChunkIds(std::string_view chunk, tok::Encoding* scratch, std::vector<int64_t>* ids) const {
  if (chunk.size() > kMaxChunkBytes) {
    SK_RETURN_IF_ERROR(tokenizer_->Encode(chunk, chunk_options_, scratch));
    ids->insert(ids->end(), scratch->ids.begin(), scratch->ids.end());
    return Status::Ok();
  }
  ChunkTable& table = thread_tables.For(serial_);
  const uint64_t hash = HashBytes(chunk);
  Slot* slot = table.Find(chunk, hash);
  if (slot->hash != 0) {
    const int64_t* cached = table.ids.data() + slot->ids_begin;
    ids->insert(ids->end(), cached, cached + slot->ids_count);
    return Status::Ok();
  }
  SK_RETURN_IF_ERROR(tokenizer_->Encode(chunk, chunk_options_, scratch));
  ids->insert(ids->end(), scratch->ids.begin(), scratch->ids.end());
  if (table.used >= kMaxChunks) {
    table.Reset(serial_);
    slot = table.Find(chunk, hash);
  }
  table.Store(slot, chunk, hash, scratch->ids.data(), scratch->ids.size());
  return Status::Ok();
}

Status StaticTokenizer::Ids(std::string_view text, tok::Encoding* scratch, std::vector<int64_t>* ids) const {
  ids->clear();
  if (!chunked_) {
    SK_RETURN_IF_ERROR(tokenizer_->Encode(text, options_, scratch));
    ids->swap(scratch->ids);
    return Status::Ok();
  }
  size_t begin = 0;
  while (begin < text.size()) {
    if (text[begin] == ' ') {
      ++begin;
      continue;
    }
    size_t end = text.find(' ', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view chunk = text.substr(begin, end - begin);
    if (ascii_ == nullptr || !ascii_->Tokenize(chunk, ids)) SK_RETURN_IF_ERROR(ChunkIds(chunk, scratch, ids));
    begin = end;
  }
  // One sequence without special tokens: truncation keeps max_length ids on its side.
  const size_t limit = options_.max_length;
  if (limit > 0 && ids->size() > limit) {
    if (options_.side == tok::TruncationSide::kRight) ids->resize(limit);
    else ids->erase(ids->begin(), ids->end() - static_cast<std::ptrdiff_t>(limit));
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
