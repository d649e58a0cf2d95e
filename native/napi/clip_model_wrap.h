// JavaScript face of pipeline::ClipModel: `loadClipModel(options)` resolves to an instance with
// `dimension`, `imageSize`, `encodeTexts(texts, options)`, `encodeImages(pixels, count,
// options)` and `dispose()`; both encodes run on the model's owner thread and resolve to one
// Float32Array of rows.
#pragma once

#include <napi.h>

#include <memory>

#include "napi/model_owner.h"
#include "pipeline/clip_model.h"

namespace sk::napi {

class ClipModelWrap : public Napi::ObjectWrap<ClipModelWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<pipeline::ClipModel> model);

  explicit ClipModelWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Dimension(const Napi::CallbackInfo& info);
  Napi::Value ImageSize(const Napi::CallbackInfo& info);
  Napi::Value EncodeTexts(const Napi::CallbackInfo& info);
  Napi::Value EncodeImages(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Shared with queued jobs, which keep it alive past dispose().
  std::shared_ptr<pipeline::ClipModel> model_;
  std::unique_ptr<ModelOwner> owner_;
};

}  // namespace sk::napi
