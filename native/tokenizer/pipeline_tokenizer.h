// The Tokenizer built from a tokenizer.json document: added tokens, normalizer,
// pre-tokenizer, model, post-processor and decoder, run in Hugging Face's order.
#pragma once

#include <memory>

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

}  // namespace sk::tok
