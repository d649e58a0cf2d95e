// The offsets path of PipelineTokenizer (/tokenize's start and stop): the same stages as
// TokenizeText, each carrying where its characters came from, as tokenizers' NormalizedString
// and PreTokenizedString do. Kept apart so the plain encode path pays nothing for it.
#include <algorithm>

#include "core/utf8.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pipeline_tokenizer.h"
#include "tokenizer/unicode.h"

namespace sk::tok {

void PipelineTokenizer::AddSpaces(const std::u32string& token, TokenOrigins* origins) const {
  // process_offsets counts the byte-level space and whitespace at either end of the token string.
  auto is_space = [](char32_t c) { return c == byte_level::ByteToChar(' ') || unicode::IsWhitespace(c); };
  uint32_t leading = 0;
  while (leading < token.size() && is_space(token[leading])) ++leading;
  uint32_t trailing = 0;
  while (trailing < token.size() && is_space(token[token.size() - 1 - trailing])) ++trailing;
  origins->spaces.emplace_back(leading, trailing);
}

void PipelineTokenizer::TokenizeAligned(AlignedPiece piece, bool starts_text, std::vector<int64_t>* ids,
                                        TokenOrigins* origins, std::vector<SplitEnd>* split_ends) const {
  std::vector<AlignedPiece> pieces;
  pieces.push_back(std::move(piece));
  if (pre_tokenizer_) pre_tokenizer_->PreTokenize(&pieces, starts_text);
  std::vector<CharSpan> spans;
  for (const AlignedPiece& part : pieces) {
    if (part.text.empty()) continue;
    spans.clear();
    const size_t first = ids->size();
    model_->TokenizeWithSpans(part.text, ids, &spans);
    for (const CharSpan& span : spans) origins->spans.push_back(SpanOf(part.align, span.begin, span.end));
    if (trim_offsets_) {
      for (size_t i = first; i < ids->size(); ++i) AddSpaces(utf8::Decode(IdToToken((*ids)[i]).value_or("")), origins);
    }
    split_ends->push_back({static_cast<uint32_t>(ids->size()), false});
  }
}

void PipelineTokenizer::TokenizeTextWithOffsets(std::string_view text, std::vector<int64_t>* ids,
                                                TokenOrigins* origins, std::vector<SplitEnd>* split_ends) const {
  const std::u32string decoded = utf8::Decode(text);
  WalkAddedTokens<AlignedPiece>(
      decoded,
      [&](const Segment& token, const AlignedPiece* within) {
        ids->push_back(token.id);
        if (within == nullptr) {
          origins->spans.push_back({token.begin, token.end});
          // An added token's string is the text it matched, whitespace it stripped included.
          if (trim_offsets_) AddSpaces(decoded.substr(token.begin, token.end - token.begin), origins);
        } else {
          origins->spans.push_back(SpanOf(within->align, token.begin, token.end));
          if (trim_offsets_) AddSpaces(within->text.substr(token.begin, token.end - token.begin), origins);
        }
        split_ends->push_back({static_cast<uint32_t>(ids->size()), true});
      },
      [&](AlignedPiece piece, bool starts_text) { TokenizeAligned(std::move(piece), starts_text, ids, origins, split_ends); });
}

void PipelineTokenizer::TrimOffsets(TokenOrigins* origins) const {
  // tokenizers' process_offsets: the spaces come off each token's offsets, except the one
  // space add_prefix_space put before the sequence's first token.
  for (size_t i = 0; i < origins->spans.size() && i < origins->spaces.size(); ++i) {
    auto [leading, trailing] = origins->spaces[i];
    CharSpan& span = origins->spans[i];
    if (leading > 0) {
      const bool is_first = i == 0 || span.begin == 0;
      if (is_first && trim_add_prefix_space_ && leading == 1) leading = 0;
      span.begin = std::min(span.begin + leading, span.end);
    }
    if (trailing > 0 && span.end >= trailing) span.end = std::max(span.end - trailing, span.begin);
  }
}

}  // namespace sk::tok
