// /tokenize's offsets against Python `tokenizers`' Encoding.offsets (test/tools/offsets_fixtures.py):
// every distinct fixture tokenizer.json, on the tokenizer corpus and on lines holding every code
// point, with and without special tokens, truncated on the left, and pairs truncated on the
// right. The fixture keeps a 16-bit digest of each encoding's ids and offsets; a mismatch names
// the text, and offsets_fixtures.py's encoder shows Python's side.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "core/utf8.h"
#include "fixtures.h"
#include "tokenizer/tokenizer.h"

namespace {

class Words {
 public:
  explicit Words(std::string bytes) : bytes_(std::move(bytes)) {}
  uint32_t Word() { return Read<uint32_t>(); }
  uint16_t Half() { return Read<uint16_t>(); }
  std::string Bytes(size_t n) {
    Need(n);
    std::string value = bytes_.substr(pos_, n);
    pos_ += n;
    return value;
  }

 private:
  template <typename T>
  T Read() {
    Need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  void Need(size_t n) const {
    if (pos_ + n > bytes_.size()) throw std::runtime_error("offsets.bin ends early");
  }
  std::string bytes_;
  size_t pos_ = 0;
};

std::string ReadFile(const std::string& relative) {
  std::string bytes;
  const sk::Status status = sk::ReadWholeFile(sktest::FixturePath(relative), &bytes);
  if (!status.ok()) throw std::runtime_error(status.message());
  return bytes;
}

struct Corpus {
  std::vector<std::string> lines;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
};

Corpus ReadCorpus() {
  Words reader(ReadFile("tokenizers/corpus.bin"));
  if (reader.Bytes(4) != "SKTC") throw std::runtime_error("corpus.bin: bad magic");
  Corpus corpus;
  for (uint32_t i = 0, n = reader.Word(); i < n; ++i) corpus.lines.push_back(reader.Bytes(reader.Word()));
  for (uint32_t i = 0, n = reader.Word(); i < n; ++i) {
    const uint32_t a = reader.Word();
    corpus.pairs.emplace_back(a, reader.Word());
  }
  return corpus;
}

// offsets_fixtures.py's code_point_lines.
std::vector<std::string> CodePointLines() {
  std::vector<std::string> lines;
  constexpr char32_t kPerLine = 64;
  for (char32_t first = 0; first < 0x110000; first += kPerLine) {
    std::u32string chars;
    for (char32_t i = 0; i < kPerLine; ++i) {
      const char32_t c = first + i;
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      if (i % 4 == 3) chars.push_back(U' ');
      if (i % 9 == 8) chars.push_back(U'A');
      if (i % 16 == 15) chars.push_back(U'7');
      chars.push_back(c);
    }
    if (!chars.empty()) lines.push_back(sk::utf8::Encode(chars));
  }
  return lines;
}

uint16_t Digest(const sk::tok::Encoding& encoding) {
  uint32_t h = 0x811C9DC5;
  auto word = [&h](uint32_t value) {
    for (int i = 0; i < 4; ++i) h = (h ^ ((value >> (8 * i)) & 0xFF)) * 0x01000193u;
  };
  word(static_cast<uint32_t>(encoding.ids.size()));
  for (int64_t id : encoding.ids) word(static_cast<uint32_t>(id));
  for (const auto& [begin, end] : encoding.offsets) {
    word(begin);
    word(end);
  }
  return static_cast<uint16_t>((h ^ (h >> 16)) & 0xFFFF);
}

std::string Show(const sk::tok::Encoding& encoding) {
  std::string shown;
  for (size_t i = 0; i < encoding.ids.size() && i < 40; ++i) {
    shown += std::to_string(encoding.ids[i]) + "(" + std::to_string(encoding.offsets[i].first) + "," +
             std::to_string(encoding.offsets[i].second) + ") ";
  }
  return shown;
}

TEST(tokenizer_offsets_parity) {
  const size_t stride = sktest::SweepStride();  // every Nth record of each section
  const Corpus corpus = ReadCorpus();
  const std::vector<std::string> code_points = CodePointLines();
  Words reader(ReadFile("tokenizers/offsets.bin"));
  CHECK(reader.Bytes(4) == "SKTO");
  const uint32_t tokenizers = reader.Word();
  CHECK(tokenizers >= 15);
  size_t compared = 0;
  for (uint32_t t = 0; t < tokenizers; ++t) {
    const std::string path = reader.Bytes(reader.Word());
    std::unique_ptr<sk::tok::Tokenizer> tokenizer;
    const sk::Status loaded = sk::tok::Tokenizer::FromFile(sktest::FixturePath(path), &tokenizer);
    CHECK(loaded.ok()) << path << ": " << loaded.message();
    const uint32_t sections = reader.Word();
    for (uint32_t s = 0; s < sections; ++s) {
      const std::string name = reader.Bytes(reader.Word());
      const uint32_t kind = reader.Word();
      sk::tok::EncodeOptions options;
      options.offsets = true;
      options.add_special_tokens = reader.Word() != 0;
      options.max_length = reader.Word();
      options.side = reader.Word() == 0 ? sk::tok::TruncationSide::kRight : sk::tok::TruncationSide::kLeft;
      const uint32_t records = reader.Word();
      const std::vector<std::string>& texts = kind == 1 ? code_points : corpus.lines;
      size_t failures = 0;
      for (uint32_t r = 0; r < records; ++r) {
        const uint16_t expected = reader.Half();
        if (!loaded.ok() || r % stride != 0) continue;
        sk::tok::Encoding encoding;
        sk::Status status;
        if (kind == 2) {
          status = tokenizer->EncodePair(corpus.lines.at(corpus.pairs.at(r).first), corpus.lines.at(corpus.pairs.at(r).second),
                                         options, &encoding);
        } else {
          status = tokenizer->Encode(texts.at(r), options, &encoding);
        }
        ++compared;
        const bool same = status.ok() && encoding.offsets.size() == encoding.ids.size() && Digest(encoding) == expected;
        if (!same && ++failures <= 3) {
          CHECK(same) << path << " " << name << " record " << r << ": " << status.message() << " " << Show(encoding);
        }
      }
      CHECK(failures == 0) << path << " " << name << ": " << failures << " of " << records << " differ";
    }
  }
  CHECK(compared * stride > 15 * 100000) << compared << " compared, every " << stride << "th";
}

}  // namespace
