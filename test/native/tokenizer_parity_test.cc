// Every fixture tokenizer.json against Python `tokenizers` on the generated corpus
// (test/tools/make_tokenizer_fixtures.py): identical ids, type ids and attention masks for
// single texts and pairs, with and without truncation.
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "fixtures.h"
#include "tokenizer/tokenizer.h"

namespace {

// Reads the LEB128 varints and little-endian words the fixture generator writes.
class Reader {
 public:
  explicit Reader(std::string bytes) : bytes_(std::move(bytes)) {}

  void ExpectMagic(const char* magic) {
    if (bytes_.compare(0, 4, magic) != 0) throw std::runtime_error(std::string("fixture does not start with ") + magic);
    pos_ = 4;
  }
  bool AtEnd() const { return pos_ >= bytes_.size(); }
  uint32_t Word() {
    Need(4);
    uint32_t value = 0;
    std::memcpy(&value, bytes_.data() + pos_, 4);
    pos_ += 4;
    return value;
  }
  std::string Bytes(size_t length) {
    Need(length);
    std::string value = bytes_.substr(pos_, length);
    pos_ += length;
    return value;
  }
  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      Need(1);
      const uint8_t byte = static_cast<uint8_t>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("bad varint in fixture");
  }
  std::vector<int64_t> Ids() {
    std::vector<int64_t> ids(Varint());
    for (int64_t& id : ids) id = static_cast<int64_t>(Varint());
    return ids;
  }
  std::vector<int64_t> Runs() {
    std::vector<int64_t> values;
    const uint64_t count = Varint();
    for (uint64_t i = 0; i < count; ++i) {
      const int64_t value = static_cast<int64_t>(Varint());
      values.insert(values.end(), Varint(), value);
    }
    return values;
  }

 private:
  void Need(size_t n) const {
    if (pos_ + n > bytes_.size()) throw std::runtime_error("fixture ends early");
  }
  std::string bytes_;
  size_t pos_ = 0;
};

std::string ReadFixture(const std::string& relative) {
  std::string bytes;
  sk::Status status = sk::ReadWholeFile(sktest::FixturePath(relative), &bytes);
  if (!status.ok()) throw std::runtime_error(status.message());
  return bytes;
}

struct Corpus {
  std::vector<std::string> lines;
};

const Corpus& LoadCorpus() {
  static const Corpus corpus = [] {
    Corpus result;
    Reader reader(ReadFixture("tokenizers/corpus.bin"));
    reader.ExpectMagic("SKTC");
    const uint32_t count = reader.Word();
    for (uint32_t i = 0; i < count; ++i) result.lines.push_back(reader.Bytes(reader.Word()));
    return result;
  }();
  return corpus;
}

std::string Show(const std::vector<int64_t>& ids) {
  std::ostringstream out;
  for (int64_t id : ids) out << id << ' ';
  return out.str();
}

std::string Quote(const std::string& text) {
  std::string shown = text.substr(0, 80);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return "'" + shown + "'";
}

struct Expected {
  std::vector<int64_t> ids, type_ids, attention_mask;
};

// Checks one fixture family; returns the number of encodings compared.
size_t CheckFamily(const std::string& family) {
  const Corpus& corpus = LoadCorpus();
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  const sk::Status loaded = sk::tok::Tokenizer::FromFile(sktest::FixturePath("tokenizers/" + family + "/tokenizer.json"),
                                                         &tokenizer);
  CHECK(loaded.ok()) << family << ": " << loaded.message();
  if (!loaded.ok()) return 0;

  Reader reader(ReadFixture("tokenizers/" + family + "/reference.bin"));
  reader.ExpectMagic("SKTR");
  std::vector<size_t> single_lengths(corpus.lines.size(), 0);
  std::vector<std::vector<int64_t>> single_ids(corpus.lines.size());
  size_t compared = 0;
  size_t failures = 0;
  while (!reader.AtEnd()) {
    const std::string section = reader.Bytes(reader.Varint());
    const bool pair = reader.Varint() != 0;
    sk::tok::EncodeOptions options;
    options.max_length = reader.Varint();
    options.strategy = static_cast<sk::tok::TruncationStrategy>(reader.Varint());
    options.side = reader.Varint() == 0 ? sk::tok::TruncationSide::kRight : sk::tok::TruncationSide::kLeft;
    const uint64_t records = reader.Varint();
    for (uint64_t r = 0; r < records; ++r) {
      const size_t a = reader.Varint();
      const size_t b = pair ? reader.Varint() : 0;
      Expected expected;
      expected.ids = reader.Ids();
      expected.type_ids = reader.Runs();
      expected.attention_mask = reader.Runs();
      sk::tok::Encoding got;
      const sk::Status status = pair ? tokenizer->EncodePair(corpus.lines[a], corpus.lines[b], options, &got)
                                     : tokenizer->Encode(corpus.lines[a], options, &got);
      ++compared;
      const bool same = status.ok() && got.ids == expected.ids && got.type_ids == expected.type_ids &&
                        got.attention_mask == expected.attention_mask;
      if (!same && ++failures <= 8) {
        CHECK(same) << family << "/" << section << " line " << a << (pair ? " + " + std::to_string(b) : "") << " "
                    << Quote(corpus.lines[a]) << (pair ? " / " + Quote(corpus.lines[b]) : "") << "\n    status   "
                    << status.message() << "\n    got      " << Show(got.ids) << "\n    expected " << Show(expected.ids)
                    << "\n    got types " << Show(got.type_ids) << "\n    exp types " << Show(expected.type_ids);
      }
      if (!pair && options.max_length == 0) {
        single_lengths[a] = expected.ids.size();
        single_ids[a] = expected.ids;
      }
    }
    // Single texts the truncation leaves whole are not listed: they must equal the untruncated ids.
    if (!pair && options.max_length > 0) {
      for (size_t i = 0; i < corpus.lines.size(); ++i) {
        if (single_lengths[i] == 0 || single_lengths[i] > options.max_length) continue;
        sk::tok::Encoding got;
        const sk::Status status = tokenizer->Encode(corpus.lines[i], options, &got);
        ++compared;
        if ((!status.ok() || got.ids != single_ids[i]) && ++failures <= 8) {
          CHECK(false) << family << "/" << section << " line " << i << " changed under truncation it fits";
        }
      }
    }
  }
  CHECK(failures == 0) << family << ": " << failures << " of " << compared << " encodings differ from Python tokenizers";
  return compared;
}

}  // namespace

TEST(tokenizer_parity_bert) { CHECK(CheckFamily("bert") > 20000); }
TEST(tokenizer_parity_mpnet) { CHECK(CheckFamily("mpnet") > 20000); }
TEST(tokenizer_parity_roberta) { CHECK(CheckFamily("roberta") > 20000); }
TEST(tokenizer_parity_xlmr) { CHECK(CheckFamily("xlmr") > 20000); }
TEST(tokenizer_parity_split_bpe) { CHECK(CheckFamily("split-bpe") > 8000); }
TEST(tokenizer_parity_misc_wordpiece) { CHECK(CheckFamily("misc-wordpiece") > 8000); }
