// Post-processors of tokenizer.json: where special tokens go and which type id each part has.
#include "tokenizer/components.h"

namespace sk::tok {
namespace {

// One element of a template: a special token's ids, or sequence A/B, with its type id.
struct TemplatePiece {
  bool is_sequence = false;
  bool second = false;           // sequence B
  std::vector<int64_t> ids;      // special token ids
  int64_t type_id = 0;
};

class TemplateProcessor : public PostProcessor {
 public:
  TemplateProcessor(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair)
      : single_(std::move(single)), pair_(std::move(pair)) {}

  size_t AddedTokens(bool pair) const override {
    size_t count = 0;
    for (const TemplatePiece& piece : pair ? pair_ : single_) {
      if (!piece.is_sequence) count += piece.ids.size();
    }
    return count;
  }

  void Process(const std::vector<int64_t>& first, const std::vector<int64_t>* second,
               bool add_special_tokens, Encoding* out) const override {
    const auto& pieces = second != nullptr ? pair_ : single_;
    for (const TemplatePiece& piece : pieces) {
      if (piece.is_sequence) {
        const std::vector<int64_t>& ids = piece.second ? *second : first;
        out->ids.insert(out->ids.end(), ids.begin(), ids.end());
        out->type_ids.insert(out->type_ids.end(), ids.size(), piece.type_id);
        out->special_tokens_mask.insert(out->special_tokens_mask.end(), ids.size(), 0);
      } else if (add_special_tokens) {
        out->ids.insert(out->ids.end(), piece.ids.begin(), piece.ids.end());
        out->type_ids.insert(out->type_ids.end(), piece.ids.size(), piece.type_id);
        out->special_tokens_mask.insert(out->special_tokens_mask.end(), piece.ids.size(), 1);
      }
    }
    out->attention_mask.assign(out->ids.size(), 1);
  }

 private:
  std::vector<TemplatePiece> single_, pair_;
};

TemplatePiece Special(int64_t id, int64_t type_id) {
  TemplatePiece piece;
  piece.ids = {id};
  piece.type_id = type_id;
  return piece;
}

TemplatePiece Sequence(bool second, int64_t type_id) {
  TemplatePiece piece;
  piece.is_sequence = true;
  piece.second = second;
  piece.type_id = type_id;
  return piece;
}

Status ParseTemplate(const JsonValue& json, const char* key, const JsonValue& special_tokens,
                     std::vector<TemplatePiece>* out) {
  const JsonValue* list = json.Find(key);
  if (list == nullptr || !list->is_array()) return TokenizerError(std::string("TemplateProcessing needs '") + key + "'");
  for (const JsonValue& item : list->array()) {
    if (const JsonValue* sequence = item.Find("Sequence")) {
      const std::string id = JsonString(*sequence, "id", "A");
      if (id != "A" && id != "B") return TokenizerError("TemplateProcessing sequence id must be A or B");
      out->push_back(Sequence(id == "B", JsonInt(*sequence, "type_id", 0)));
    } else if (const JsonValue* special = item.Find("SpecialToken")) {
      const std::string name = JsonString(*special, "id");
      const JsonValue* entry = special_tokens.Find(name);
      const JsonValue* ids = entry != nullptr ? entry->Find("ids") : nullptr;
      if (ids == nullptr || !ids->is_array()) {
        return TokenizerError("TemplateProcessing special token '" + name + "' is not in special_tokens");
      }
      TemplatePiece piece;
      piece.type_id = JsonInt(*special, "type_id", 0);
      for (const JsonValue& id : ids->array()) {
        if (!id.is_integer()) return TokenizerError("TemplateProcessing special token ids must be integers");
        piece.ids.push_back(id.integer());
      }
      out->push_back(std::move(piece));
    } else {
      return TokenizerError("TemplateProcessing piece must be a Sequence or a SpecialToken");
    }
  }
  return Status::Ok();
}

// ["[SEP]", 102] → 102
Status TokenPairId(const JsonValue& json, const char* key, int64_t* id) {
  const JsonValue* pair = json.Find(key);
  if (pair == nullptr || !pair->is_array() || pair->array().size() != 2 || !pair->array()[1].is_integer()) {
    return TokenizerError(std::string("post_processor needs '") + key + "' as [token, id]");
  }
  *id = pair->array()[1].integer();
  return Status::Ok();
}

}  // namespace

bool TrimsOffsets(const JsonValue& json, bool* add_prefix_space) {
  const std::string type = JsonString(json, "type");
  if (type == "RobertaProcessing" || type == "ByteLevel") {
    *add_prefix_space = JsonBool(json, "add_prefix_space", true);
    return JsonBool(json, "trim_offsets", true);
  }
  const JsonValue* list = type == "Sequence" ? json.Find("processors") : nullptr;
  if (list == nullptr || !list->is_array()) return false;
  for (const JsonValue& item : list->array()) {
    if (TrimsOffsets(item, add_prefix_space)) return true;
  }
  return false;
}

Status MakePostProcessor(const JsonValue& json, const Model& model, std::unique_ptr<PostProcessor>* out) {
  out->reset();
  if (json.is_null()) return Status::Ok();
  const std::string type = JsonString(json, "type");
  if (type == "TemplateProcessing") {
    const JsonValue* special_tokens = json.Find("special_tokens");
    static const JsonValue kEmpty;
    std::vector<TemplatePiece> single, pair;
    SK_RETURN_IF_ERROR(ParseTemplate(json, "single", special_tokens ? *special_tokens : kEmpty, &single));
    SK_RETURN_IF_ERROR(ParseTemplate(json, "pair", special_tokens ? *special_tokens : kEmpty, &pair));
    *out = std::make_unique<TemplateProcessor>(std::move(single), std::move(pair));
  } else if (type == "BertProcessing") {
    int64_t cls = 0, sep = 0;
    SK_RETURN_IF_ERROR(TokenPairId(json, "cls", &cls));
    SK_RETURN_IF_ERROR(TokenPairId(json, "sep", &sep));
    *out = std::make_unique<TemplateProcessor>(
        std::vector<TemplatePiece>{Special(cls, 0), Sequence(false, 0), Special(sep, 0)},
        std::vector<TemplatePiece>{Special(cls, 0), Sequence(false, 0), Special(sep, 0), Sequence(true, 1), Special(sep, 1)});
  } else if (type == "RobertaProcessing") {
    int64_t cls = 0, sep = 0;
    SK_RETURN_IF_ERROR(TokenPairId(json, "cls", &cls));
    SK_RETURN_IF_ERROR(TokenPairId(json, "sep", &sep));
    // RoBERTa gives every token type id 0, the pair included.
    *out = std::make_unique<TemplateProcessor>(
        std::vector<TemplatePiece>{Special(cls, 0), Sequence(false, 0), Special(sep, 0)},
        std::vector<TemplatePiece>{Special(cls, 0), Sequence(false, 0), Special(sep, 0), Special(sep, 0),
                                   Sequence(true, 0), Special(sep, 0)});
  } else if (type == "ByteLevel") {
    // Only moves offsets (trim_offsets); the ids are the model's.
    out->reset();
  } else if (type == "Sequence") {
    const JsonValue* list = json.Find("processors");
    if (list == nullptr || !list->is_array()) return TokenizerError("Sequence post_processor needs 'processors'");
    for (const JsonValue& item : list->array()) {
      std::unique_ptr<PostProcessor> member;
      SK_RETURN_IF_ERROR(MakePostProcessor(item, model, &member));
      if (!member) continue;
      if (*out) return TokenizerError("unsupported post_processor: a Sequence with two processors that add tokens");
      *out = std::move(member);
    }
  } else {
    return TokenizerError("unsupported post_processor type '" + type + "'");
  }
  return Status::Ok();
}

}  // namespace sk::tok
