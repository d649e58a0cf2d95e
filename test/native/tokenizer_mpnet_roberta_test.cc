// The tokenizer.json files transformers wrote for the MPNet bi-encoder and the RoBERTa
// cross-encoder fixtures against the ids sentence-transformers feeds those models
// (test/fixtures/tiny-mpnet.reference.json, tiny-ce-roberta.reference.json): singles as
// <s> A </s>, pairs as <s> A </s></s> B </s>, both truncated at the fixtures' 128 tokens,
// and padding with <pad> (1), the id their graphs count position ids around.
#include <memory>
#include <sstream>

#include "check.h"
#include "fixtures.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string Show(const std::vector<int64_t>& ids) {
  std::ostringstream out;
  for (int64_t id : ids) out << id << ' ';
  return out.str();
}

std::unique_ptr<sk::tok::Tokenizer> Load(const std::string& folder) {
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  sk::Status status = sk::tok::Tokenizer::FromFile(sktest::FixturePath(folder + "/tokenizer.json"), &tokenizer);
  if (!status.ok()) throw std::runtime_error(status.message());
  return tokenizer;
}

}  // namespace

TEST(tokenizer_mpnet_fixture_matches_sentence_transformers) {
  const sk::JsonValue reference = sktest::ReadFixtureJson("tiny-mpnet.reference.json");
  auto tokenizer = Load("tiny-mpnet");
  CHECK(tokenizer->PadId() == 1);
  sk::tok::EncodeOptions options;
  options.max_length = static_cast<size_t>(reference.Find("max_seq_length")->integer());
  const auto& texts = reference.Find("texts")->array();
  const auto& ids = reference.Find("input_ids")->array();
  CHECK(texts.size() == ids.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    sk::tok::Encoding encoding;
    CHECK(tokenizer->Encode(texts[i].string(), options, &encoding).ok());
    const auto expected = sktest::IntArray(ids[i]);
    CHECK(encoding.ids == expected) << "text " << i << " '" << texts[i].string().substr(0, 60) << "'\n    got      "
                                    << Show(encoding.ids) << "\n    expected " << Show(expected);
  }
}

TEST(tokenizer_roberta_cross_encoder_pairs_match_sentence_transformers) {
  const sk::JsonValue reference = sktest::ReadFixtureJson("tiny-ce-roberta.reference.json");
  auto tokenizer = Load("tiny-ce-roberta");
  CHECK(tokenizer->PadId() == 1);
  sk::tok::EncodeOptions options;
  options.max_length = static_cast<size_t>(reference.Find("max_length")->integer());
  const auto& pairs = reference.Find("pairs")->array();
  const auto& ids = reference.Find("input_ids")->array();
  CHECK(pairs.size() == ids.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& pair = pairs[i].array();
    sk::tok::Encoding encoding;
    CHECK(tokenizer->EncodePair(pair[0].string(), pair[1].string(), options, &encoding).ok());
    const auto expected = sktest::IntArray(ids[i]);
    CHECK(encoding.ids == expected) << "pair " << i << "\n    got      " << Show(encoding.ids) << "\n    expected "
                                    << Show(expected);
  }
}
