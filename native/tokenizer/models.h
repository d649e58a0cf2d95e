// Constructors of the tokenizer.json models; MakeModel (components.h) picks one by "type".
#pragma once

#include <memory>

#include "core/json.h"
#include "core/status.h"
#include "tokenizer/components.h"

namespace sk::tok {

// Builds a model class M (with `Status Init(const JsonValue&)`) from its tokenizer.json object.
template <typename M>
Status InitModel(const JsonValue& json, std::unique_ptr<Model>* out) {
  auto model = std::make_unique<M>();
  SK_RETURN_IF_ERROR(model->Init(json));
  *out = std::move(model);
  return Status::Ok();
}

Status MakeWordPieceModel(const JsonValue& json, std::unique_ptr<Model>* out);
Status MakeBpeModel(const JsonValue& json, std::unique_ptr<Model>* out);
Status MakeUnigramModel(const JsonValue& json, std::unique_ptr<Model>* out);

}  // namespace sk::tok
