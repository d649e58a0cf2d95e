// Decoding, padding settings, invalid UTF-8 and error messages of the native tokenizer; the
// expected strings are what Python tokenizers' decode gives for the same fixture files.
#include <memory>
#include <string>

#include "check.h"
#include "fixtures.h"
#include "tokenizer/tokenizer.h"

namespace {

std::unique_ptr<sk::tok::Tokenizer> LoadFixture(const std::string& family) {
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  const sk::Status status =
      sk::tok::Tokenizer::FromFile(sktest::FixturePath("tokenizers/" + family + "/tokenizer.json"), &tokenizer);
  if (!status.ok()) throw std::runtime_error(status.message());
  return tokenizer;
}

std::string RoundTrip(const sk::tok::Tokenizer& tokenizer, const std::string& text, bool skip_special) {
  sk::tok::Encoding encoding;
  CHECK(tokenizer.Encode(text, sk::tok::EncodeOptions(), &encoding).ok());
  std::string decoded;
  CHECK(tokenizer.Decode(encoding.ids, skip_special, &decoded).ok());
  return decoded;
}

std::string LoadError(const std::string& json) {
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  const sk::Status status = sk::tok::Tokenizer::FromJson(json, &tokenizer);
  CHECK(!status.ok()) << "expected an error for " << json;
  CHECK(status.code() == sk::StatusCode::kTokenizer) << status.message();
  return status.message();
}

const char kGreeting[] = "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln! \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\x80";

}  // namespace

TEST(tokenizer_decode_matches_python) {
  const std::string plain = "Hello world, this is a test.";
  auto bert = LoadFixture("bert");
  CHECK(RoundTrip(*bert, plain, true) == "hello world, this is a test.");
  CHECK(RoundTrip(*bert, plain, false) == "[CLS] hello world, this is a test. [SEP]");
  CHECK(RoundTrip(*bert, kGreeting, true) == "gru\xC3\x9F" "e aus koln!");
  auto roberta = LoadFixture("roberta");
  CHECK(RoundTrip(*roberta, plain, false) == "<s>" + plain + "</s>");
  CHECK(RoundTrip(*roberta, kGreeting, true) == kGreeting);
  auto xlmr = LoadFixture("xlmr");
  CHECK(RoundTrip(*xlmr, plain, true) == plain);
  CHECK(RoundTrip(*xlmr, plain, false) == "<s> " + plain + "</s>");
  CHECK(RoundTrip(*xlmr, kGreeting, true) == kGreeting);
  auto split = LoadFixture("split-bpe");
  CHECK(RoundTrip(*split, kGreeting, false) == kGreeting);
}

TEST(tokenizer_invalid_utf8_reads_as_replacement_characters) {
  // Node turns lone surrogates into U+FFFD before native code sees them; raw bad bytes must
  // behave the same way.
  for (const char* family : {"bert", "roberta", "xlmr"}) {
    auto tokenizer = LoadFixture(family);
    sk::tok::Encoding from_bad, from_replacement;
    CHECK(tokenizer->Encode("a\xFF" "b\xED\xA0\x80" "c", sk::tok::EncodeOptions(), &from_bad).ok());
    CHECK(tokenizer->Encode("a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "c", sk::tok::EncodeOptions(),
                            &from_replacement).ok());
    CHECK(from_bad.ids == from_replacement.ids) << family;
  }
}

TEST(tokenizer_padding_settings) {
  auto bert = LoadFixture("bert");
  CHECK(bert->PadId() == 0);
  CHECK(!bert->PadsLeft());
  auto roberta = LoadFixture("roberta");
  CHECK(roberta->PadId() == 1);
  // BERT's "[PAD]" is a plain vocabulary piece (id 4) in MPNet; its pad is the special "<pad>".
  auto mpnet = LoadFixture("mpnet");
  CHECK(mpnet->PadId() == 1);
  std::unique_ptr<sk::tok::Tokenizer> left;
  const sk::Status status = sk::tok::Tokenizer::FromJson(
      R"({"padding": {"direction": "Left", "pad_id": 7, "pad_token": "x"},
          "model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}, "unk_token": "[UNK]"}})", &left);
  CHECK(status.ok()) << status.message();
  if (status.ok()) CHECK(left->PadsLeft() && left->PadId() == 7);
}

TEST(tokenizer_unsupported_components_are_named) {
  const std::string vocab = R"("model": {"type": "WordPiece", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"})";
  CHECK(LoadError(R"({"model": {"type": "WordLevel", "vocab": {}}})").find("'WordLevel'") != std::string::npos);
  CHECK(LoadError(R"({"normalizer": {"type": "Fancy"}, )" + vocab + "}").find("'Fancy'") != std::string::npos);
  CHECK(LoadError(R"({"pre_tokenizer": {"type": "UnicodeScripts"}, )" + vocab + "}").find("'UnicodeScripts'") !=
        std::string::npos);
  CHECK(LoadError(R"({"decoder": {"type": "CTC"}, )" + vocab + "}").find("'CTC'") != std::string::npos);
  CHECK(LoadError(R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"}, )" +
                  vocab + "}").find("regex") != std::string::npos);
  CHECK(LoadError("{\"model\": ").find("JSON") != std::string::npos);
}
