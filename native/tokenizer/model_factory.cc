#include "tokenizer/models.h"

namespace sk::tok {

Status MakeModel(const JsonValue& json, std::unique_ptr<Model>* out) {
  if (!json.is_object()) return TokenizerError("tokenizer.json needs a 'model' object");
  std::string type = JsonString(json, "type");
  // Old files leave out the type; the fields tell the model apart.
  if (type.empty()) {
    if (json.Find("merges") != nullptr) type = "BPE";
    else if (json.Find("continuing_subword_prefix") != nullptr) type = "WordPiece";
    else if (json.Find("vocab") != nullptr && json.Find("vocab")->is_array()) type = "Unigram";
  }
  if (type == "WordPiece") return MakeWordPieceModel(json, out);
  if (type == "BPE") return MakeBpeModel(json, out);
  if (type == "Unigram") return MakeUnigramModel(json, out);
  return TokenizerError("unsupported model type '" + (type.empty() ? std::string("(none)") : type) + "'");
}

}  // namespace sk::tok
