// The BERT WordPiece tokenizer against Python tokenizers/transformers on the fixture corpus
// (test/fixtures/tiny-bert.reference.json): identical ids, type ids and attention masks.
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

std::unique_ptr<sk::tok::Tokenizer> LoadTinyBert() {
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  sk::Status status = sk::tok::Tokenizer::FromFile(sktest::FixturePath("tiny-bert/tokenizer.json"), &tokenizer);
  if (!status.ok()) throw std::runtime_error(status.message());
  return tokenizer;
}

}  // namespace

TEST(tokenizer_bert_singles_match_python) {
  const sk::JsonValue reference = sktest::ReadFixtureJson("tiny-bert.reference.json");
  auto tokenizer = LoadTinyBert();
  sk::tok::EncodeOptions options;
  options.max_length = static_cast<size_t>(reference.Find("max_seq_length")->integer());
  const auto& texts = reference.Find("texts")->array();
  const auto& tokens = reference.Find("tokens")->array();
  CHECK(texts.size() == tokens.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    sk::tok::Encoding encoding;
    CHECK(tokenizer->Encode(texts[i].string(), options, &encoding).ok());
    const auto expected = sktest::IntArray(*tokens[i].Find("input_ids"));
    CHECK(encoding.ids == expected) << "text " << i << " '" << texts[i].string().substr(0, 60) << "'\n    got      "
                                    << Show(encoding.ids) << "\n    expected " << Show(expected);
    CHECK(encoding.type_ids == sktest::IntArray(*tokens[i].Find("token_type_ids"))) << "type ids of text " << i;
    CHECK(encoding.attention_mask == sktest::IntArray(*tokens[i].Find("attention_mask"))) << "mask of text " << i;
  }
}

TEST(tokenizer_bert_pairs_match_python) {
  const sk::JsonValue reference = sktest::ReadFixtureJson("tiny-bert.reference.json");
  auto tokenizer = LoadTinyBert();
  sk::tok::EncodeOptions options;
  options.max_length = static_cast<size_t>(reference.Find("max_seq_length")->integer());
  for (const sk::JsonValue& pair : reference.Find("pairs")->array()) {
    sk::tok::Encoding encoding;
    CHECK(tokenizer->EncodePair(pair.Find("first")->string(), pair.Find("second")->string(), options, &encoding).ok());
    const auto expected = sktest::IntArray(*pair.Find("input_ids"));
    CHECK(encoding.ids == expected) << "pair '" << pair.Find("first")->string().substr(0, 30) << "'\n    got      "
                                    << Show(encoding.ids) << "\n    expected " << Show(expected);
    CHECK(encoding.type_ids == sktest::IntArray(*pair.Find("token_type_ids"))) << "type ids";
  }
}

TEST(tokenizer_rejects_unsupported_components_by_name) {
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  sk::Status status = sk::tok::Tokenizer::FromJson(
      R"({"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "pre_tokenizer": {"type": "Frobnicate"}})", &tokenizer);
  CHECK(!status.ok() && status.code() == sk::StatusCode::kTokenizer);
  CHECK(status.message().find("Frobnicate") != std::string::npos) << status.message();
  status = sk::tok::Tokenizer::FromJson("{\"model\": ", &tokenizer);
  CHECK(!status.ok() && status.code() == sk::StatusCode::kTokenizer) << status.message();
}

TEST(tokenizer_bert_decode_roundtrip) {
  auto tokenizer = LoadTinyBert();
  sk::tok::Encoding encoding;
  CHECK(tokenizer->Encode("Hello, unaffable world!", {}, &encoding).ok());
  std::string text;
  CHECK(tokenizer->Decode(encoding.ids, true, &text).ok());
  CHECK(text == "hello, unaffable world!") << text;
  CHECK(tokenizer->PadId() == 0);
  CHECK(tokenizer->NumSpecialTokens(false) == 2 && tokenizer->NumSpecialTokens(true) == 3);
}
