// The one JavaScript face of every native model class (pipeline's SentenceEncoder,
// CrossEncoderModel, SparseEncoderModel, StaticEmbeddingModel, StaticSparseEncoderModel):
// load*(options) loads the model off the main thread and resolves to an instance whose methods
// are plain functions of (call, wrap), each a few lines that read the call's arguments and
// start a job (model_job.h); dispose() is the same for all. The model is shared with the jobs
// in flight: dispose() drops the wrap's reference, and the model is freed when the last job
// that holds it finishes, never under it.
#pragma once

#include <napi.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "napi/addon_data.h"
#include "napi/model_job.h"
#include "napi/model_options.h"
#include "napi/model_owner.h"

namespace sk::napi {

template <typename Model>
class ModelWrap : public Napi::ObjectWrap<ModelWrap<Model>> {
  using Base = Napi::ObjectWrap<ModelWrap<Model>>;

 public:
  using Function = Napi::Value (*)(const Napi::CallbackInfo& info, ModelWrap& wrap);
  using Loader = std::function<Status(std::unique_ptr<Model>*)>;

  // A method or read-only property of the instances, defined by a plain function.
  template <Function F>
  static Napi::ClassPropertyDescriptor<ModelWrap> Method(const char* name) {
    return Base::template InstanceMethod<&ModelWrap::Call<F>>(name);
  }
  template <Function F>
  static Napi::ClassPropertyDescriptor<ModelWrap> Getter(const char* name) {
    return Base::template InstanceAccessor<&ModelWrap::Call<F>>(name);
  }
  // A size the model reports (dimension, numLabels, vocabSize…): undefined once disposed.
  template <size_t (Model::*Read)() const>
  static Napi::ClassPropertyDescriptor<ModelWrap> Size(const char* name) {
    return Getter<&ModelWrap::ReadSize<Read>>(name);
  }

  // Reads a load*() call's options on the main thread (TypeError on a bad one) into the loader
  // that runs off it.
  using ReadLoader = Loader (*)(const Napi::Object& options);

  // Defines the class `class_name` with `members` plus dispose(), and exports `load_name`:
  // load(options) initialises ONNX Runtime on first use (where the package ships it), runs Read's loader off the main thread
  // and resolves to a new instance holding the model. `owner_thread`: the name of the thread
  // each instance runs its jobs on, in order, or null to run them on the libuv pool (a route
  // that needs no thread of its own).
  template <ReadLoader Read>
  static void Define(Napi::Env env, Napi::Object exports, const char* class_name, const char* load_name,
                     const char* owner_thread, std::vector<Napi::ClassPropertyDescriptor<ModelWrap>> members) {
    members.push_back(Method<&ModelWrap::DisposeModel>("dispose"));
    AddonData::ModelClass& slot = GetAddonData(env).model_classes[std::type_index(typeid(Model))];
    slot.constructor = Napi::Persistent(Base::DefineClass(env, class_name, members));
    slot.owner_thread = owner_thread;
    exports.Set(load_name, Napi::Function::New(env, &ModelWrap::LoadModel<Read>, load_name));
  }

  explicit ModelWrap(const Napi::CallbackInfo& info) : Base(info) {}

  // Null once disposed.
  const std::shared_ptr<Model>& model() const { return model_; }
  // Queues a job on this model's owner thread (or the libuv pool). Main thread.
  Napi::Promise Start(Napi::Env env, JobSteps steps) { return StartJob(env, owner_.get(), std::move(steps)); }

 private:
  template <ReadLoader Read>
  static Napi::Value LoadModel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto model = std::make_shared<std::unique_ptr<Model>>();
    return StartJob(env, nullptr,
                    {[loader = Read(LoadOptions(info)), model] { return loader(model.get()); },
                     [model](Napi::Env env) -> Napi::Value { return NewInstance(env, std::move(*model)); }});
  }

  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<Model> model) {
    const AddonData::ModelClass& slot = GetAddonData(env).model_classes.at(std::type_index(typeid(Model)));
    Napi::Object object = slot.constructor.New({});
    ModelWrap* wrap = Base::Unwrap(object);
    wrap->model_ = std::move(model);
    if (slot.owner_thread != nullptr) wrap->owner_ = std::make_unique<ModelOwner>(env, object, slot.owner_thread);
    return object;
  }

  template <Function F>
  Napi::Value Call(const Napi::CallbackInfo& info) {
    return F(info, *this);
  }

  template <size_t (Model::*Read)() const>
  static Napi::Value ReadSize(const Napi::CallbackInfo& info, ModelWrap& wrap) {
    if (!wrap.model_) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), static_cast<double>(((*wrap.model_).*Read)()));
  }

  // dispose(): resolves once the jobs already queued have run (model_owner.h's CloseOwnerOnce).
  static Napi::Value DisposeModel(const Napi::CallbackInfo& info, ModelWrap& wrap) {
    wrap.model_.reset();
    return CloseOwnerOnce(info.Env(), wrap.owner_.get());
  }

  std::shared_ptr<Model> model_;
  std::unique_ptr<ModelOwner> owner_;
};

}  // namespace sk::napi
