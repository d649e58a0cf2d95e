// The CPU engine behind ClipTowers: encodings packed back to back for cpu::ClipEncoder.
#include <cstdint>

#include "pipeline/clip_towers.h"

namespace sk::pipeline {
namespace {

class CpuClipTowers final : public ClipTowers {
 public:
  explicit CpuClipTowers(std::unique_ptr<cpu::ClipEncoder> encoder, cpu::EnginePrecision precision)
      : encoder_(std::move(encoder)), precision_(precision) {}

  const char* backend() const override {
    return precision_ == cpu::EnginePrecision::kInt8 ? "sentencekit-int8" : "sentencekit-bf16x3";
  }
  size_t threads() const override { return encoder_->lanes(); }

  Status EncodeTexts(const std::vector<tok::Encoding>& encodings, float* out) override {
    std::vector<int32_t> ids, offsets{0};
    for (const tok::Encoding& encoding : encodings) {
      for (int64_t id : encoding.ids) ids.push_back(static_cast<int32_t>(id));
      offsets.push_back(static_cast<int32_t>(ids.size()));
    }
    return encoder_->EncodeTexts(ids.data(), offsets.data(), encodings.size(), out);
  }

  Status EncodeImages(const float* pixels, size_t num_images, float* out) override {
    return encoder_->EncodeImages(pixels, num_images, out);
  }

 private:
  std::unique_ptr<cpu::ClipEncoder> encoder_;
  cpu::EnginePrecision precision_;
};

}  // namespace

Status LoadCpuClipTowers(const std::string& model_dir, const cpu::ClipEncoder::LoadOptions& options,
                         std::unique_ptr<ClipTowers>* out) {
  std::unique_ptr<cpu::ClipEncoder> encoder;
  SK_RETURN_IF_ERROR(cpu::ClipEncoder::Load(model_dir, options, &encoder));
  *out = std::make_unique<CpuClipTowers>(std::move(encoder), options.precision);
  return Status::Ok();
}

}  // namespace sk::pipeline
