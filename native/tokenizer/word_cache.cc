#include "tokenizer/word_cache.h"

#include <atomic>
#include <memory>
#include <unordered_map>

#include "core/owned_tables.h"

namespace sk::tok {
namespace {

// Bounds per thread and model: tokenizers' default cache holds 10,000 words.
constexpr size_t kMaxWords = 10000;
constexpr size_t kMaxWordLength = 64;
constexpr size_t kTablesPerThread = 8;

struct Table {
  uint64_t serial = 0;
  uint64_t last_use = 0;
  std::unordered_map<std::u32string, std::vector<int64_t>> words;

  void Reset(uint64_t owner) {
    serial = owner;
    words.clear();
  }
};

thread_local OwnedTables<Table, kTablesPerThread> thread_tables;
std::atomic<uint64_t> next_serial{1};

}  // namespace

WordCache::WordCache() : serial_(next_serial.fetch_add(1)) {}

bool WordCache::Lookup(const std::u32string& word, std::vector<int64_t>* ids) const {
  if (word.size() > kMaxWordLength) return false;
  Table& table = thread_tables.For(serial_);
  const auto found = table.words.find(word);
  if (found == table.words.end()) return false;
  ids->insert(ids->end(), found->second.begin(), found->second.end());
  return true;
}

void WordCache::Store(const std::u32string& word, const std::vector<int64_t>& ids, size_t first) const {
  if (word.size() > kMaxWordLength) return;
  Table& table = thread_tables.For(serial_);
  if (table.words.size() >= kMaxWords) table.words.clear();
  table.words.emplace(word, std::vector<int64_t>(ids.begin() + static_cast<std::ptrdiff_t>(first), ids.end()));
}

}  // namespace sk::tok
