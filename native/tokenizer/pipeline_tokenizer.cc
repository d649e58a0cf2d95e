#include "tokenizer/pipeline_tokenizer.h"

#include "core/file_util.h"
#include "core/utf8.h"
#include "tokenizer/truncation.h"

namespace sk::tok {

Status PipelineTokenizer::Init(const JsonValue& document, bool lowercase) {
  if (!document.is_object()) return TokenizerError("tokenizer.json must hold a JSON object");
  static const JsonValue kNull;
  auto field = [&](const char* key) -> const JsonValue& {
    const JsonValue* value = document.Find(key);
    return value != nullptr ? *value : kNull;
  };
  SK_RETURN_IF_ERROR(added_.Init(field("added_tokens")));
  SK_RETURN_IF_ERROR(MakeNormalizer(field("normalizer"), &normalizer_));
  if (lowercase && !HasLowercaseNormalizer(field("normalizer"))) normalizer_ = PrependLowercase(std::move(normalizer_));
  SK_RETURN_IF_ERROR(MakePreTokenizer(field("pre_tokenizer"), &pre_tokenizer_));
  SK_RETURN_IF_ERROR(MakeModel(field("model"), &model_));
  SK_RETURN_IF_ERROR(MakePostProcessor(field("post_processor"), *model_, &post_processor_));
  trim_offsets_ = TrimsOffsets(field("post_processor"), &trim_add_prefix_space_);
  SK_RETURN_IF_ERROR(MakeDecoder(field("decoder"), &decoder_));

  // Padding id: tokenizer.json's padding section, else a conventional pad token that is a
  // special added token (transformers registers the pad_token it uses there), else one that is
  // only in the vocabulary. MPNet's vocabulary holds both: BERT's "[PAD]" (4) as a plain piece
  // and its real pad "<pad>" (1) as a special token. Its and RoBERTa's exported graphs count
  // position ids over the ids that are not the pad id: the real tokens come out the same either
  // way (the mask hides the padding), but only the right id gives the padded columns the
  // positions transformers gives them.
  const JsonValue& padding = field("padding");
  pads_left_ = padding.is_object() && JsonString(padding, "direction") == "Left";
  const JsonValue& truncation = field("truncation");
  truncates_left_ = truncation.is_object() && JsonString(truncation, "direction") == "Left";
  if (padding.is_object() && padding.Find("pad_id") != nullptr) {
    pad_id_ = JsonInt(padding, "pad_id", 0);
    return Status::Ok();
  }
  static const char* const kPadTokens[] = {"[PAD]", "<pad>"};
  for (const char* token : kPadTokens) {
    const AddedToken* added = added_.FindByContent(token);
    if (added != nullptr && added->special) {
      pad_id_ = added->id;
      return Status::Ok();
    }
  }
  for (const char* token : kPadTokens) {
    if (auto id = TokenToId(token)) {
      pad_id_ = *id;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void PipelineTokenizer::TokenizeNormalized(std::u32string text, bool starts_text, std::vector<int64_t>* ids,
                                           std::vector<SplitEnd>* split_ends) const {
  std::vector<std::u32string> pieces;
  pieces.push_back(std::move(text));
  if (pre_tokenizer_) pre_tokenizer_->PreTokenize(&pieces, starts_text);
  for (const std::u32string& piece : pieces) {
    if (piece.empty()) continue;
    model_->Tokenize(piece, ids);
    split_ends->push_back({static_cast<uint32_t>(ids->size()), false});
  }
}

void PipelineTokenizer::TokenizeText(std::string_view text, std::vector<int64_t>* ids,
                                     std::vector<SplitEnd>* split_ends) const {
  WalkAddedTokens<std::u32string>(
      utf8::Decode(text),
      [&](const Segment& token, const std::u32string*) {
        ids->push_back(token.id);
        split_ends->push_back({static_cast<uint32_t>(ids->size()), true});
      },
      [&](std::u32string piece, bool starts_text) { TokenizeNormalized(std::move(piece), starts_text, ids, split_ends); });
}

size_t PipelineTokenizer::NumSpecialTokens(bool pair) const {
  return post_processor_ ? post_processor_->AddedTokens(pair) : 0;
}

// Cuts `values` to `length` on `side`, as Truncate cut the ids beside them.
template <typename T>
void KeepLike(std::vector<T>* values, size_t length, TruncationSide side) {
  if (values->size() <= length) return;
  if (side == TruncationSide::kRight) values->resize(length);
  else values->erase(values->begin(), values->end() - static_cast<std::ptrdiff_t>(length));
}

void KeepOrigins(TokenOrigins* origins, size_t length, TruncationSide side) {
  if (origins == nullptr) return;
  KeepLike(&origins->spans, length, side);
  KeepLike(&origins->spaces, length, side);
}

Status PipelineTokenizer::Finish(std::vector<int64_t> first, std::vector<int64_t>* second,
                                 const std::vector<SplitEnd>& first_splits, const std::vector<SplitEnd>& second_splits,
                                 const EncodeOptions& options, Encoding* out, TokenOrigins* first_origins,
                                 TokenOrigins* second_origins) const {
  if (options.max_length > 0) {
    const size_t added = options.add_special_tokens ? NumSpecialTokens(second != nullptr) : 0;
    if (options.max_length < added) {
      return InvalidArgument("max_length " + std::to_string(options.max_length) + " is shorter than the " +
                             std::to_string(added) + " special tokens");
    }
    const size_t first_seen = SeenLength(first_splits, options.max_length, options.side);
    const size_t second_seen = second ? SeenLength(second_splits, options.max_length, options.side) : 0;
    SK_RETURN_IF_ERROR(Truncate(&first, second, options.max_length - added, first_seen, second_seen, options.strategy,
                                options.side));
    KeepOrigins(first_origins, first.size(), options.side);
    if (second) KeepOrigins(second_origins, second->size(), options.side);
  }
  *out = Encoding();
  if (post_processor_) {
    post_processor_->Process(first, second, options.add_special_tokens, out);
  } else {
    out->ids = first;
    out->type_ids.assign(first.size(), 0);
    if (second) {
      out->ids.insert(out->ids.end(), second->begin(), second->end());
      out->type_ids.insert(out->type_ids.end(), second->size(), 1);
    }
    out->special_tokens_mask.assign(out->ids.size(), 0);
    out->attention_mask.assign(out->ids.size(), 1);
  }
  if (first_origins != nullptr) {
    // The post-processor keeps the sequences' order and adds only special tokens, at {0, 0}.
    if (trim_offsets_) {
      TrimOffsets(first_origins);
      if (second) TrimOffsets(second_origins);
    }
    const std::vector<CharSpan>* first_offsets = &first_origins->spans;
    const std::vector<CharSpan>* second_offsets = second ? &second_origins->spans : nullptr;
    size_t next = 0;
    out->offsets.reserve(out->ids.size());
    for (uint8_t special : out->special_tokens_mask) {
      if (special) {
        out->offsets.emplace_back(0, 0);
        continue;
      }
      const CharSpan span = next < first_offsets->size() ? (*first_offsets)[next]
                                                          : (*second_offsets)[next - first_offsets->size()];
      out->offsets.emplace_back(span.begin, span.end);
      ++next;
    }
  }
  return Status::Ok();
}

Status PipelineTokenizer::Encode(std::string_view text, const EncodeOptions& options, Encoding* out) const {
  std::vector<int64_t> ids;
  std::vector<SplitEnd> splits;
  if (options.offsets) {
    TokenOrigins origins;
    TokenizeTextWithOffsets(text, &ids, &origins, &splits);
    return Finish(std::move(ids), nullptr, splits, {}, options, out, &origins);
  }
  TokenizeText(text, &ids, &splits);
  return Finish(std::move(ids), nullptr, splits, {}, options, out);
}

Status PipelineTokenizer::EncodePair(std::string_view first, std::string_view second,
                                     const EncodeOptions& options, Encoding* out) const {
  std::vector<int64_t> first_ids, second_ids;
  std::vector<SplitEnd> first_splits, second_splits;
  if (options.offsets) {
    TokenOrigins first_origins, second_origins;
    TokenizeTextWithOffsets(first, &first_ids, &first_origins, &first_splits);
    TokenizeTextWithOffsets(second, &second_ids, &second_origins, &second_splits);
    return Finish(std::move(first_ids), &second_ids, first_splits, second_splits, options, out, &first_origins,
                  &second_origins);
  }
  TokenizeText(first, &first_ids, &first_splits);
  TokenizeText(second, &second_ids, &second_splits);
  return Finish(std::move(first_ids), &second_ids, first_splits, second_splits, options, out);
}

Status PipelineTokenizer::Decode(const std::vector<int64_t>& ids, bool skip_special_tokens, std::string* out) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int64_t id : ids) {
    const AddedToken* added = added_.FindById(id);
    if (added != nullptr && added->special && skip_special_tokens) continue;
    std::optional<std::string> token = IdToToken(id);
    if (!token) return InvalidArgument("token id " + std::to_string(id) + " is not in the vocabulary");
    tokens.push_back(std::move(*token));
  }
  if (decoder_) decoder_->Decode(&tokens);
  out->clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!decoder_ && i > 0) out->push_back(' ');
    out->append(tokens[i]);
  }
  return Status::Ok();
}

std::optional<int64_t> PipelineTokenizer::TokenToId(std::string_view token) const {
  if (const AddedToken* added = added_.FindByContent(std::string(token))) return added->id;
  return model_->TokenToId(token);
}

std::optional<std::string> PipelineTokenizer::IdToToken(int64_t id) const {
  if (const AddedToken* added = added_.FindById(id)) return utf8::Encode(added->content);
  return model_->IdToToken(id);
}

size_t PipelineTokenizer::VocabSize() const { return model_->VocabSize(); }

Status Tokenizer::FromJson(std::string_view json, std::unique_ptr<Tokenizer>* out, bool lowercase) {
  JsonValue document;
  Status parsed = JsonValue::Parse(json, &document);
  if (!parsed.ok()) return TokenizerError(parsed.message());
  auto tokenizer = std::make_unique<PipelineTokenizer>();
  SK_RETURN_IF_ERROR(tokenizer->Init(document, lowercase));
  *out = std::move(tokenizer);
  return Status::Ok();
}

Status Tokenizer::FromFile(const std::string& path, std::unique_ptr<Tokenizer>* out, bool lowercase) {
  std::string text;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &text, StatusCode::kTokenizer));
  Status status = FromJson(text, out, lowercase);
  if (!status.ok()) return TokenizerError(path + ": " + status.message());
  return Status::Ok();
}

}  // namespace sk::tok
