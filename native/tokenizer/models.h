// Constructors of the tokenizer.json models; MakeModel (components.h) picks one by "type".
#pragma once

#include <memory>

#include "core/json.h"
#include "core/status.h"
#include "tokenizer/components.h"

namespace sk::tok {

Status MakeWordPieceModel(const JsonValue& json, std::unique_ptr<Model>* out);
Status MakeBpeModel(const JsonValue& json, std::unique_ptr<Model>* out);
Status MakeUnigramModel(const JsonValue& json, std::unique_ptr<Model>* out);

}  // namespace sk::tok
