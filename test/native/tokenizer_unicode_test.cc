// Every Unicode scalar value (1,112,064: U+0000..U+10FFFF less the surrogates) through every
// normalizer and pre-tokenizer, alone, between letters ("a" c "b") and between spaces
// ("a " c " b"), plus the probes the tables were read from, against Python `tokenizers`:
// test/tools/unicode_tables.py writes a CRC-32 of the reference's outputs per block of 1,024
// code points, and every block must match. A failing block is named with the command that
// prints the reference's outputs for it; SENTENCEKIT_UNICODE_SHOW=NAME:CONTEXT:FIRST:LAST
// (hex) prints ours in the same form.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "core/utf8.h"
#include "fixtures.h"
#include "tokenizer/components.h"

namespace {

constexpr char32_t kMaxCodePoint = 0x10FFFF;
constexpr size_t kScalarValues = 0x110000 - 0x800;

// zlib's CRC-32 (what the generator's zlib.crc32 computes), eight bytes a step.
uint32_t Crc32(const std::string& bytes) {
  static const auto tables = [] {
    std::array<std::array<uint32_t, 256>, 8> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t value = i;
      for (int bit = 0; bit < 8; ++bit) value = value & 1 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
      t[0][i] = value;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    }
    return t;
  }();
  uint32_t crc = ~0u;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t size = bytes.size();
  for (; size >= 8; data += 8, size -= 8) {
    const uint32_t low = crc ^ (uint32_t{data[0]} | uint32_t{data[1]} << 8 | uint32_t{data[2]} << 16 | uint32_t{data[3]} << 24);
    crc = tables[7][low & 0xFF] ^ tables[6][low >> 8 & 0xFF] ^ tables[5][low >> 16 & 0xFF] ^ tables[4][low >> 24] ^
          tables[3][data[4]] ^ tables[2][data[5]] ^ tables[1][data[6]] ^ tables[0][data[7]];
  }
  for (; size > 0; ++data, --size) crc = tables[0][(crc ^ *data) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

bool IsSurrogate(char32_t c) { return c >= 0xD800 && c <= 0xDFFF; }

// One component of tokenizer.json, run the way the reference's normalize_str and
// pre_tokenize_str run it, its output serialized as the generator serializes it.
class Component {
 public:
  Component(std::string name, const sk::JsonValue& config, bool normalizer) : name_(std::move(name)) {
    const sk::Status status = normalizer ? sk::tok::MakeNormalizer(config, &normalizer_)
                                         : sk::tok::MakePreTokenizer(config, &pre_tokenizer_);
    if (!status.ok()) throw std::runtime_error(name_ + ": " + status.message());
  }
  const std::string& name() const { return name_; }

  void Run(const std::u32string& text, std::string* out) const {
    if (normalizer_) {
      thread_local std::u32string normalized;
      normalized = text;
      normalizer_->Normalize(&normalized);
      for (char32_t c : normalized) sk::utf8::Append(c, out);
    } else {
      thread_local std::vector<std::u32string> pieces;
      pieces.resize(1);
      pieces[0] = text;
      pre_tokenizer_->PreTokenize(&pieces, true);
      for (const std::u32string& piece : pieces) {
        for (char32_t c : piece) sk::utf8::Append(c, out);
        out->push_back('\xFE');
      }
    }
    out->push_back('\xFF');
  }

 private:
  std::string name_;
  std::unique_ptr<sk::tok::Normalizer> normalizer_;
  std::unique_ptr<sk::tok::PreTokenizer> pre_tokenizer_;
};

struct Task {
  const Component* component;
  std::string context;
  std::u32string before, after;
  const uint32_t* expected;  // one CRC per block
  // Filled by the run.
  size_t values = 0;
  std::vector<size_t> failed_blocks;
  double seconds = 0;
};

void RunTask(Task* task, int block_bits, size_t blocks) {
  const auto start = std::chrono::steady_clock::now();
  std::u32string text;
  std::string block_bytes;
  for (size_t block = 0; block < blocks; ++block) {
    block_bytes.clear();
    const char32_t first = static_cast<char32_t>(block << block_bits);
    const char32_t last = static_cast<char32_t>(std::min<size_t>(((block + 1) << block_bits) - 1, kMaxCodePoint));
    for (char32_t c = first; c <= last; ++c) {
      if (IsSurrogate(c)) continue;
      text = task->before;
      text.push_back(c);
      text += task->after;
      task->component->Run(text, &block_bytes);
      ++task->values;
    }
    if (Crc32(block_bytes) != task->expected[block]) task->failed_blocks.push_back(block);
  }
  task->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const sk::JsonValue& Member(const sk::JsonValue& object, const char* key) {
  const sk::JsonValue* value = object.Find(key);
  if (value == nullptr) throw std::runtime_error(std::string("unicode/components.json: no '") + key + "'");
  return *value;
}

// A component's config: inline, or found in another fixture (the XLM-R charsmap is large).
sk::JsonValue Config(const sk::JsonValue& entry, std::vector<std::unique_ptr<sk::JsonValue>>* documents) {
  if (const sk::JsonValue* config = entry.Find("config")) return *config;
  const sk::JsonValue& from = Member(entry, "config_from");
  documents->push_back(std::make_unique<sk::JsonValue>(sktest::ReadFixtureJson(Member(from, "file").string())));
  const sk::JsonValue* value = documents->back().get();
  for (const sk::JsonValue& step : Member(from, "path").array()) {
    value = step.is_string() ? value->Find(step.string())
                             : (value->is_array() && static_cast<size_t>(step.integer()) < value->array().size()
                                    ? &value->array()[static_cast<size_t>(step.integer())]
                                    : nullptr);
    if (value == nullptr) throw std::runtime_error("unicode/components.json: config_from path not found");
  }
  return *value;
}

std::string Hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

// SENTENCEKIT_UNICODE_SHOW=NAME:CONTEXT:FIRST:LAST prints our outputs as the generator's show does.
void Show(const std::vector<std::unique_ptr<Component>>& components, const sk::JsonValue& contexts) {
  const char* show = std::getenv("SENTENCEKIT_UNICODE_SHOW");
  if (show == nullptr) return;
  std::vector<std::string> fields;
  std::stringstream stream(show);
  for (std::string field; std::getline(stream, field, ':');) fields.push_back(field);
  if (fields.size() != 4) return;
  const sk::JsonValue* context = contexts.Find(fields[1]);
  for (const auto& component : components) {
    if (component->name() != fields[0] || context == nullptr) continue;
    const std::u32string before = sk::utf8::Decode(context->array()[0].string());
    const std::u32string after = sk::utf8::Decode(context->array()[1].string());
    const char32_t last = static_cast<char32_t>(std::strtoul(fields[3].c_str(), nullptr, 16));
    for (char32_t c = static_cast<char32_t>(std::strtoul(fields[2].c_str(), nullptr, 16)); c <= last; ++c) {
      if (IsSurrogate(c)) continue;
      std::string bytes;
      component->Run(before + std::u32string(1, c) + after, &bytes);
      std::printf("U+%04X %s\n", static_cast<unsigned>(c), Hex(bytes).c_str());
    }
  }
}

}  // namespace

TEST(tokenizer_every_code_point_matches_tokenizers) {
  const sk::JsonValue document = sktest::ReadFixtureJson("unicode/components.json");
  std::string expected_bytes;
  const sk::Status read = sk::ReadWholeFile(sktest::FixturePath("unicode/expected.bin"), &expected_bytes);
  CHECK(read.ok()) << read.message();
  if (!read.ok()) return;
  const int block_bits = static_cast<int>(Member(document, "block_bits").integer());
  const size_t blocks = static_cast<size_t>(Member(document, "blocks").integer());
  CHECK(blocks == (static_cast<size_t>(kMaxCodePoint) >> block_bits) + 1) << blocks;
  const sk::JsonValue& contexts = Member(document, "contexts");

  std::vector<std::unique_ptr<sk::JsonValue>> documents;
  std::vector<std::unique_ptr<Component>> components;
  std::vector<Task> tasks;
  for (const sk::JsonValue& entry : Member(document, "components").array()) {
    const std::string name = Member(entry, "name").string();
    components.push_back(
        std::make_unique<Component>(name, Config(entry, &documents), Member(entry, "kind").string() == "normalizer"));
    size_t offset = static_cast<size_t>(Member(entry, "offset").integer());
    for (const sk::JsonValue& context : Member(entry, "contexts").array()) {
      const sk::JsonValue& around = Member(contexts, context.string().c_str());
      CHECK(offset + blocks * 4 <= expected_bytes.size()) << name << " " << context.string();
      if (offset + blocks * 4 > expected_bytes.size()) return;
      Task task;
      task.component = components.back().get();
      task.context = context.string();
      task.before = sk::utf8::Decode(around.array()[0].string());
      task.after = sk::utf8::Decode(around.array()[1].string());
      task.expected = reinterpret_cast<const uint32_t*>(expected_bytes.data() + offset);  // little-endian hosts
      tasks.push_back(std::move(task));
      offset += blocks * 4;
    }
  }
  Show(components, contexts);
  // The fixture covers every component the generator knows; a short list means a broken file.
  CHECK(components.size() >= 28) << components.size();
  CHECK(tasks.size() >= 90) << tasks.size();

  std::atomic<size_t> next{0};
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < tasks.size(); i = next++) RunTask(&tasks[i], block_bits, blocks);
    });
  }
  for (std::thread& thread : pool) thread.join();

  size_t failing = 0;
  for (const Task& task : tasks) {
    CHECK(task.values == kScalarValues) << task.component->name() << " " << task.context << ": " << task.values;
    if (task.failed_blocks.empty()) continue;
    ++failing;
    std::ostringstream where;
    for (size_t i = 0; i < task.failed_blocks.size() && i < 6; ++i) {
      char range[48];
      const size_t first = task.failed_blocks[i] << block_bits;
      std::snprintf(range, sizeof(range), " %04zX-%04zX", first, first + (size_t{1} << block_bits) - 1);
      where << range;
    }
    CHECK(task.failed_blocks.empty()) << task.component->name() << " " << task.context << ": "
                                      << task.failed_blocks.size() << " blocks differ:" << where.str()
                                      << " (test/tools/unicode_tables.py show " << task.component->name() << " "
                                      << task.context << " FIRST LAST)";
  }
  std::vector<const Task*> slowest;
  for (const Task& task : tasks) slowest.push_back(&task);
  std::sort(slowest.begin(), slowest.end(), [](const Task* a, const Task* b) { return a->seconds > b->seconds; });
  double total = 0;
  for (const Task& task : tasks) total += task.seconds;
  std::printf("  %zu components, %zu component-contexts x %zu code points, %zu differ; %.1f s in all, slowest:",
              components.size(), tasks.size(), kScalarValues, failing, total);
  for (size_t i = 0; i < slowest.size() && i < 4; ++i) {
    std::printf(" %s/%s %.1f s", slowest[i]->component->name().c_str(), slowest[i]->context.c_str(), slowest[i]->seconds);
  }
  std::printf("\n");
}
