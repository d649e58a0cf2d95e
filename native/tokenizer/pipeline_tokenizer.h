// The Tokenizer built from a tokenizer.json document: added tokens, normalizer,
// pre-tokenizer, model, post-processor and decoder, run in Hugging Face's order.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/components.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/truncation.h"

namespace sk::tok {

// Where each token of one sequence came from (the offsets path), and, when the post-processor
// trims offsets, the leading and trailing spaces of its string.
struct TokenOrigins {
  std::vector<CharSpan> spans;
  std::vector<std::pair<uint32_t, uint32_t>> spaces;
};

class PipelineTokenizer : public Tokenizer {
 public:
  Status Init(const JsonValue& document, bool lowercase);

  Status Encode(std::string_view text, const EncodeOptions& options, Encoding* out) const override;
  Status EncodePair(std::string_view first, std::string_view second, const EncodeOptions& options,
                    Encoding* out) const override;
  Status Decode(const std::vector<int64_t>& ids, bool skip_special_tokens, std::string* out) const override;
  std::optional<int64_t> TokenToId(std::string_view token) const override;
  std::optional<std::string> IdToToken(int64_t id) const override;
  size_t VocabSize() const override;
  int64_t PadId() const override { return pad_id_; }
  bool PadsLeft() const override { return pads_left_; }
  bool TruncatesLeft() const override { return truncates_left_; }
  size_t NumSpecialTokens(bool pair) const override;

 private:
  // Ids of one text, without special tokens; `split_ends` gets the id count after each
  // pre-tokenizer split (truncation needs it to see lengths as Python tokenizers does).
  void TokenizeText(std::string_view text, std::vector<int64_t>* ids, std::vector<SplitEnd>* split_ends) const;
  void TokenizeNormalized(std::u32string text, bool starts_text, std::vector<int64_t>* ids,
                          std::vector<SplitEnd>* split_ends) const;
  Status Finish(std::vector<int64_t> first, std::vector<int64_t>* second, const std::vector<SplitEnd>& first_splits,
                const std::vector<SplitEnd>& second_splits, const EncodeOptions& options, Encoding* out,
                TokenOrigins* first_origins = nullptr, TokenOrigins* second_origins = nullptr) const;

  // The offsets path (pipeline_offsets.cc): TokenizeText's ids with each token's characters
  // of `text`, through aligned normalization and pre-tokenization and the models' spans.
  void TokenizeTextWithOffsets(std::string_view text, std::vector<int64_t>* ids, TokenOrigins* origins,
                               std::vector<SplitEnd>* split_ends) const;
  void TokenizeAligned(AlignedPiece piece, bool starts_text, std::vector<int64_t>* ids, TokenOrigins* origins,
                       std::vector<SplitEnd>* split_ends) const;
  // Records the spaces trim_offsets would take off a token whose string is `token`.
  void AddSpaces(const std::u32string& token, TokenOrigins* origins) const;
  // RobertaProcessing / ByteLevel's trim_offsets over one sequence's tokens.
  void TrimOffsets(TokenOrigins* origins) const;

  // The added-token walk both paths share: `text` split on the raw added tokens, each stretch
  // between them normalized and split on the normalized ones. on_token(segment, within) gets
  // each added token (`within`: the normalized piece it was found in, null for a raw one);
  // on_text(piece, starts_text) each stretch to pre-tokenize and tokenize.
  template <typename Piece, typename OnToken, typename OnText>
  void WalkAddedTokens(std::u32string text, OnToken on_token, OnText on_text) const;
  void NormalizePiece(std::u32string* piece) const {
    if (normalizer_) normalizer_->Normalize(piece);
  }
  void NormalizePiece(AlignedPiece* piece) const {
    if (normalizer_) normalizer_->NormalizeAligned(piece);
  }

  AddedVocabulary added_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  int64_t pad_id_ = 0;
  bool pads_left_ = false;
  bool truncates_left_ = false;
  bool trim_offsets_ = false;
  bool trim_add_prefix_space_ = true;
};

// A stretch of text as each path carries it: plain, or with its characters' origins.
inline std::u32string PieceOf(Segment&& segment) { return std::move(segment.text); }
inline AlignedPiece AlignedPieceOf(Segment&& segment) {
  AlignedPiece piece;
  piece.text = std::move(segment.text);
  piece.align.reserve(piece.text.size());
  for (uint32_t i = segment.begin; i < segment.end; ++i) piece.align.push_back({i, i + 1});
  return piece;
}
// The plain path gives its text away; the aligned one keeps it (an added token's string).
inline std::u32string TextToSplit(std::u32string* piece) { return std::move(*piece); }
inline std::u32string TextToSplit(const AlignedPiece* piece) { return piece->text; }
inline std::u32string InnerPiece(const std::u32string&, Segment&& inner) { return std::move(inner.text); }
inline AlignedPiece InnerPiece(const AlignedPiece& outer, Segment&& inner) {
  return {std::move(inner.text), Alignments(outer.align.begin() + inner.begin, outer.align.begin() + inner.end)};
}

template <typename Piece, typename OnToken, typename OnText>
void PipelineTokenizer::WalkAddedTokens(std::u32string text, OnToken on_token, OnText on_text) const {
  std::vector<Segment> raw_segments;
  added_.Split(std::move(text), /*normalized=*/false, &raw_segments);
  bool starts_text = true;  // the segment begins the original text
  for (Segment& segment : raw_segments) {
    const bool first = starts_text;
    starts_text = false;
    if (segment.is_token) {
      on_token(segment, static_cast<const Piece*>(nullptr));
      continue;
    }
    Piece piece;
    if constexpr (std::is_same_v<Piece, AlignedPiece>) piece = AlignedPieceOf(std::move(segment));
    else piece = PieceOf(std::move(segment));
    NormalizePiece(&piece);
    if (!added_.HasNormalized()) {
      on_text(std::move(piece), first);
      continue;
    }
    std::vector<Segment> normalized_segments;
    added_.Split(TextToSplit(&piece), /*normalized=*/true, &normalized_segments);
    bool inner_first = first;
    for (Segment& inner : normalized_segments) {
      const bool starts = inner_first;
      inner_first = false;
      if (inner.is_token) on_token(inner, &piece);
      else on_text(InnerPiece(piece, std::move(inner)), starts);
    }
  }
}

}  // namespace sk::tok
