// The Tokenizer built from a tokenizer.json document: added tokens, normalizer,
// pre-tokenizer, model, post-processor and decoder, run in Hugging Face's order.
#pragma once

#include <memory>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/components.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/truncation.h"

namespace sk::tok {

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
                const std::vector<SplitEnd>& second_splits, const EncodeOptions& options, Encoding* out) const;

  AddedVocabulary added_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  int64_t pad_id_ = 0;
  bool pads_left_ = false;
  bool truncates_left_ = false;
};

}  // namespace sk::tok
