#include "napi/image_preprocess_binding.h"

#include <string>
#include <vector>

#include "image/image_batch.h"
#include "napi/errors.h"
#include "napi/js_values.h"
#include "napi/kernel_args.h"
#include "napi/promise_worker.h"

namespace sk::napi {
namespace {

image::PixelFormat FormatArg(Napi::Env env, const std::string& name) {
  if (name == "gray8") return image::PixelFormat::kGray8;
  if (name == "gray-alpha8") return image::PixelFormat::kGrayAlpha8;
  if (name == "rgb8") return image::PixelFormat::kRgb8;
  if (name == "rgba8") return image::PixelFormat::kRgba8;
  if (name == "gray16") return image::PixelFormat::kGray16;
  if (name == "cmyk8") return image::PixelFormat::kCmyk8;
  ThrowTypeError(env, "unknown pixel format " + name);
}

size_t SizeField(Napi::Env env, const Napi::Object& object, const char* key) {
  const double value = GetNumber(object, key, -1);
  if (!(value >= 0 && value <= 2147483647.0) || value != static_cast<double>(static_cast<size_t>(value))) {
    ThrowTypeError(env, std::string(key) + " must be an integer in [0, 2^31)");
  }
  return static_cast<size_t>(value);
}

void ReadTriple(Napi::Env env, const Napi::Object& object, const char* key, float* out) {
  const Napi::Value value = object.Get(key);
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 3) ThrowTypeError(env, std::string(key) + " must be 3 numbers");
  for (uint32_t i = 0; i < 3; ++i) out[i] = static_cast<float>(value.As<Napi::Array>().Get(i).ToNumber().DoubleValue());
}

// The lib/image-preprocess.ts config (validated there) as the core's.
image::ImageProcessorConfig ConfigArg(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject()) ThrowTypeError(env, "config must be an object");
  const Napi::Object object = value.As<Napi::Object>();
  image::ImageProcessorConfig config;
  config.do_resize = GetBool(object, "doResize", true);
  config.shortest_edge = SizeField(env, object, "shortestEdge");
  config.resize_height = SizeField(env, object, "resizeHeight");
  config.resize_width = SizeField(env, object, "resizeWidth");
  const int resample = static_cast<int>(GetNumber(object, "resample", 3));
  if (!image::IsSupportedResample(resample)) ThrowTypeError(env, "unsupported resample " + std::to_string(resample));
  config.resample = static_cast<image::ResampleFilter>(resample);
  config.do_center_crop = GetBool(object, "doCenterCrop", true);
  config.crop_height = SizeField(env, object, "cropHeight");
  config.crop_width = SizeField(env, object, "cropWidth");
  config.do_rescale = GetBool(object, "doRescale", true);
  config.rescale_factor = GetNumber(object, "rescaleFactor", 1.0 / 255.0);
  config.do_normalize = GetBool(object, "doNormalize", true);
  ReadTriple(env, object, "imageMean", config.mean);
  ReadTriple(env, object, "imageStd", config.std);
  return config;
}

// (images: {data: Uint8Array, width, height, format}[], config, outHeight, outWidth, out: Float32Array),
// run on the libuv pool; lib/ keeps several in flight for parallelism (see image/image_batch.h).
class ImagePreprocessWorker : public PromiseWorker {
 public:
  explicit ImagePreprocessWorker(const Napi::CallbackInfo& info)
      : PromiseWorker(info.Env(), "sentencekit:preprocessImages") {
    Napi::Env env = info.Env();
    if (!info[0].IsArray()) ThrowTypeError(env, "images must be an array");
    const Napi::Array images = info[0].As<Napi::Array>();
    config_ = ConfigArg(env, info[1]);
    out_height_ = SizeArg(info, 2, "outHeight");
    out_width_ = SizeArg(info, 3, "outWidth");
    for (uint32_t i = 0; i < images.Length(); ++i) {
      if (!images.Get(i).IsObject()) ThrowTypeError(env, "each image must be an object");
      const Napi::Object item = images.Get(i).As<Napi::Object>();
      image::ImageView view;
      view.width = SizeField(env, item, "width");
      view.height = SizeField(env, item, "height");
      view.format = FormatArg(env, GetString(item, "format"));
      const size_t bytes = view.width * view.height * image::BytesPerPixel(view.format);
      view.data = TypedArrayArg<uint8_t>(env, item.Get("data"), bytes, "data");
      views_.push_back(view);
      keep_alive_.push_back(Napi::Persistent(item.Get("data")));
    }
    out_ = TypedArrayArg<float>(env, info[4], views_.size() * 3 * out_height_ * out_width_, "out");
    keep_alive_.push_back(Napi::Persistent(info[4]));
  }

 private:
  Status Run() override {
    statuses_ = image::PreprocessBatch(views_, config_, out_height_, out_width_, out_);
    return Status::Ok();
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array messages = Napi::Array::New(env, statuses_.size());
    for (uint32_t i = 0; i < statuses_.size(); ++i) {
      messages.Set(i, statuses_[i].ok() ? env.Null() : Napi::String::New(env, statuses_[i].message()));
    }
    return messages;
  }

  image::ImageProcessorConfig config_;
  size_t out_height_ = 0, out_width_ = 0;
  std::vector<image::ImageView> views_;
  float* out_ = nullptr;
  std::vector<Status> statuses_;
  std::vector<Napi::Reference<Napi::Value>> keep_alive_;
};

Napi::Value PreprocessImages(const Napi::CallbackInfo& info) {
  auto* worker = new ImagePreprocessWorker(info);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void InitImagePreprocess(Napi::Env env, Napi::Object exports) {
  exports.Set("preprocessImages", Napi::Function::New(env, PreprocessImages, "preprocessImages"));
}

}  // namespace sk::napi
