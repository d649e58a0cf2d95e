// StaticTokenizer's space-chunk path (AsciiWordPiece for BERT's printable-ASCII chunks, the
// others' ids cached per thread) against the tokenizer's own Encode on the whole text, which the
// tokenizer tests hold to Python: every code point beside spaces, tabs and combining marks,
// every printable-ASCII pair, vocabulary pieces in every case and glued together, words at and
// past max_input_chars_per_word, invalid UTF-8 around spaces, typed special tokens, truncation
// on both sides; and which tokenizer.json documents may take which path.
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/utf8.h"
#include "fixtures.h"
#include "pipeline/static_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace {

std::string TokenizerText(const std::string& name) {
  std::string text;
  CHECK(sk::ReadWholeFile(sktest::FixturePath("tokenizers/" + name + "/tokenizer.json"), &text).ok());
  return text;
}

sk::JsonValue Document(const std::string& json) {
  sk::JsonValue document;
  CHECK(sk::JsonValue::Parse(json, &document).ok());
  return document;
}

bool Chunked(const std::string& json) { return sk::pipeline::TokenizesSpaceChunksApart(Document(json)); }

// Texts that put every code point next to a space, inside a word, after a tab and before a
// combining mark (which NFD / StripAccents could attach to the space before it).
std::vector<std::string> CodePointTexts() {
  std::vector<std::string> texts;
  std::string text;
  size_t count = 0;
  const char32_t stride = static_cast<char32_t>(sktest::SweepStride());
  for (char32_t c = 0; c <= 0x10FFFF; c += stride) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    std::string one;
    sk::utf8::Append(c, &one);
    text += one + " a" + one + "b \t" + one + " \xCC\x81" + one + "  ";
    if (++count % 512 == 0) {
      texts.push_back(std::move(text));
      text.clear();
    }
  }
  texts.push_back(text);
  return texts;
}

std::vector<std::string> EdgeTexts() {
  std::vector<std::string> texts = {
      "", " ", "   ", "a", " a", "a ", "  hello   world  ", "Hello, world! It's 3.14 o'clock.",
      "[CLS] what is [MASK] here [SEP] <s> </s> <pad>", "[CLS][SEP] x[MASK]y",
      "\xE2\x82 x", "x \xE2\x82", "\xF0 \x9F\x98 \x80", "\x80 \xFF \xC3", "a\xC3 \xA9" "b",
      "e\xCC\x81 \xCC\x81" "e \xCC\x81 \xCC\x81", "\xE4\xBD\xA0\xE5\xA5\xBD \xE4\xB8\x96\xE7\x95\x8C", "ﬁ ＦＵＬＬ 𝔘𝔫𝔦",
      "\t\n\r \x01 \x7F \xC2\xA0 \xE3\x80\x80 x", std::string(300, 'a') + " " + std::string(120, 'b'),
  };
  // Printable ASCII: every pair, each alone and glued to a word; words at, past and far past
  // max_input_chars_per_word (100).
  for (char a = 0x21; a <= 0x7E; ++a) {
    std::string pairs;
    for (char b = 0x21; b <= 0x7E; ++b) pairs += std::string{a, b} + " x" + a + b + "Ab " + a + "9" + b + " ";
    texts.push_back(pairs);
  }
  texts.push_back(std::string(100, 'a') + " " + std::string(101, 'a') + " " + std::string(99, 'z') + "! " + std::string(127, 'b') +
                  " " + std::string(128, 'c') + " " + std::string(129, 'd') + " " + std::string(300, 'e'));
  std::string repeated;
  for (int i = 0; i < 3000; ++i) repeated += "word" + std::to_string(i % 97) + (i % 5 == 0 ? ", " : " ");
  texts.push_back(repeated);
  const sk::JsonValue reference = sktest::ReadFixtureJson("static-embedding.reference.json");
  for (const sk::JsonValue& text : reference.Find("texts")->array()) texts.push_back(text.string());
  return texts;
}

// Vocabulary pieces as words: as written, capitalized, upper case, continuation pieces without
// their "##", and runs of pieces glued together (greedy longest match has to split them back).
std::vector<std::string> VocabularyTexts(const std::string& json) {
  const sk::JsonValue document = Document(json);
  std::vector<std::string> texts;
  std::string text, glued;
  size_t count = 0;
  for (const auto& [token, id] : document.Find("model")->Find("vocab")->members()) {
    std::string word = token.compare(0, 2, "##") == 0 ? token.substr(2) : token;
    std::string upper = word, capital = word;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!capital.empty()) capital[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(capital[0])));
    text += token + " " + word + " " + upper + " " + capital + " ";
    glued += word;
    if (++count % 3 == 0) {
      text += glued + " ";
      glued.clear();
    }
    if (count % 400 == 0) {
      texts.push_back(std::move(text));
      text.clear();
    }
  }
  texts.push_back(text);
  return texts;
}

// `json` through StaticTokenizer (twice: the second from the cache) and through Encode.
void CheckSame(const std::string& label, const std::string& json, const sk::tok::EncodeOptions& options,
               const std::vector<std::string>& texts, bool ascii_words) {
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  CHECK(sk::tok::Tokenizer::FromJson(json, &tokenizer).ok());
  const sk::pipeline::StaticTokenizer fast(tokenizer.get(), options, Document(json));
  CHECK(fast.chunked()) << label;
  CHECK(fast.ascii_words() == ascii_words) << label;
  sk::tok::EncodeOptions plain = options;
  plain.add_special_tokens = false;
  sk::tok::Encoding scratch, expected;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    CHECK(tokenizer->Encode(texts[i], plain, &expected).ok());
    for (int pass = 0; pass < 2; ++pass) {
      CHECK(fast.Ids(texts[i], &scratch, &ids).ok());
      CHECK(ids == expected.ids) << label << ": text " << i << " pass " << pass << ": " << ids.size() << " ids, Encode gives "
                                 << expected.ids.size();
    }
  }
}

}  // namespace

TEST(static_tokenizer_takes_space_chunks_only_where_they_are_independent) {
  CHECK(Chunked(TokenizerText("bert")));
  CHECK(Chunked(TokenizerText("mpnet")));
  CHECK(!Chunked(TokenizerText("roberta")));     // byte-level: a space belongs to the next token
  CHECK(!Chunked(TokenizerText("xlmr")));        // Metaspace + precompiled normalizer
  CHECK(!Chunked(TokenizerText("split-bpe")));   // a regex split that keeps spaces
  CHECK(!Chunked(TokenizerText("misc-wordpiece")));  // NFKC and Replace
  const std::string bert = TokenizerText("bert");
  CHECK(!Chunked(sktest::ReplaceFirst(bert, "\"content\": \"[PAD]\"", "\"content\": \"[P AD]\"")));
  CHECK(!Chunked(sktest::ReplaceFirst(bert, "\"pre_tokenizer\": {", "\"pre_tokenizer\": {\"type\": \"Punctuation\"}, \"x\": {")));
  CHECK(!Chunked(sktest::ReplaceFirst(bert, "\"type\": \"BertNormalizer\"", "\"type\": \"Precompiled\"")));
  CHECK(!Chunked("{\"normalizer\": null, \"pre_tokenizer\": null}"));
}

TEST(static_tokenizer_chunks_give_encode_ids_on_every_code_point) {
  const std::vector<std::string> texts = CodePointTexts();
  sk::tok::EncodeOptions options;
  CheckSame("bert", TokenizerText("bert"), options, texts, true);
}

TEST(static_tokenizer_ascii_wordpiece_gives_encode_ids_on_every_vocabulary_piece) {
  sk::tok::EncodeOptions options;
  for (const char* name : {"bert", "mpnet"}) {
    const std::string json = TokenizerText(name);
    CheckSame(name, json, options, VocabularyTexts(json), true);
  }
  // Without lowercasing, with another continuation prefix and a shorter word limit.
  std::string cased = sktest::ReplaceFirst(TokenizerText("bert"), "\"lowercase\": true", "\"lowercase\": false");
  cased = sktest::ReplaceFirst(cased, "\"max_input_chars_per_word\": 100", "\"max_input_chars_per_word\": 7");
  CHECK(cased.find("\"max_input_chars_per_word\": 7") != std::string::npos);
  CheckSame("bert cased", cased, options, VocabularyTexts(cased), true);
}

TEST(static_tokenizer_chunks_give_encode_ids_on_edge_texts_and_truncation) {
  const std::vector<std::string> texts = EdgeTexts();
  sk::tok::EncodeOptions options;
  const std::string bert = TokenizerText("bert");
  CheckSame("bert", bert, options, texts, true);
  CheckSame("mpnet", TokenizerText("mpnet"), options, texts, true);
  // Whitespace + a normalizer sequence with accents stripped, and a Punctuation / Digits sequence.
  std::string variant = sktest::ReplaceFirst(bert, "{\n    \"type\": \"BertPreTokenizer\"\n  }",
                                             "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Punctuation\", \"behavior\": \"Isolated\"}, "
                                             "{\"type\": \"Digits\", \"individual_digits\": true}, {\"type\": \"Whitespace\"}]}");
  variant = sktest::ReplaceFirst(variant, "\"type\": \"BertNormalizer\",",
                                 "\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFD\"}, {\"type\": \"StripAccents\"}, "
                                 "{\"type\": \"Lowercase\"}],");
  CHECK(variant.find("Whitespace") != std::string::npos && variant.find("StripAccents") != std::string::npos);
  CheckSame("bert-variant", variant, options, texts, false);
  for (size_t max_length : {1, 3, 7, 40}) {
    options.max_length = max_length;
    options.side = sk::tok::TruncationSide::kRight;
    CheckSame("bert right " + std::to_string(max_length), bert, options, texts, true);
    options.side = sk::tok::TruncationSide::kLeft;
    CheckSame("bert left " + std::to_string(max_length), bert, options, texts, true);
  }
}
