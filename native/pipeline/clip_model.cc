#include "pipeline/clip_model.h"

#include <algorithm>
#include <cmath>

namespace sk::pipeline {

Status ClipModel::Load(const ClipModelConfig& config, std::unique_ptr<ClipModel>* out) {
  std::unique_ptr<ClipModel> model(new ClipModel());
  model->config_ = config;
  SK_RETURN_IF_ERROR(model::ReadClipConfig(config.model_dir + "/config.json", &model->clip_config_));
  // CLIPTokenizer truncates at model_max_length (77), the text tower's positions.
  model->config_.files.max_length =
      std::min<size_t>(config.files.max_length, static_cast<size_t>(model->clip_config_.max_positions));
  SK_RETURN_IF_ERROR(model->tokenizer_.Load(model->config_.files));
  if (config.onnx.empty()) {
    SK_RETURN_IF_ERROR(LoadCpuClipTowers(config.model_dir, config.engine, &model->towers_));
  } else {
    SK_RETURN_IF_ERROR(LoadOnnxClipTowers(config.onnx, config.files.session, model->clip_config_,
                                          model->tokenizer_.pad_id, &model->towers_));
  }
  *out = std::move(model);
  return Status::Ok();
}

namespace {

// torch.nn.functional.normalize in place: x / max(||x||, 1e-12).
void NormalizeRow(float* row, size_t width) {
  double squares = 0.0;
  for (size_t c = 0; c < width; ++c) squares += static_cast<double>(row[c]) * row[c];
  const float norm = static_cast<float>(std::max(std::sqrt(squares), 1e-12));
  for (size_t c = 0; c < width; ++c) row[c] /= norm;
}

}  // namespace

// sentence-transformers' order: the Normalize module (whole rows), truncate_dim, then
// normalize_embeddings.
void ClipModel::Finish(std::vector<float>& full, size_t rows, const ClipEncodeParams& params, float* out) const {
  const size_t width = dimension(), kept = OutputDimension(params);
  for (size_t r = 0; r < rows; ++r) {
    float* row = full.data() + r * width;
    if (params.normalize_module) NormalizeRow(row, width);
    float* target = out + r * kept;
    std::copy_n(row, kept, target);
    if (params.normalize) NormalizeRow(target, kept);
  }
}

Status ClipModel::EncodeTexts(const std::vector<std::string>& texts, const ClipEncodeParams& params, float* out) {
  std::vector<tok::Encoding> encodings;
  SK_RETURN_IF_ERROR(tokenizer_.Encode(config_.files, texts, 0, config().max_positions, &encodings));
  for (const tok::Encoding& encoding : encodings) {
    if (encoding.ids.empty()) return InvalidArgument("the tokenizer gave a text no tokens; CLIP's text tower needs its end-of-text token");
  }
  std::vector<float> full(texts.size() * dimension());
  SK_RETURN_IF_ERROR(towers_->EncodeTexts(encodings, full.data()));
  Finish(full, texts.size(), params, out);
  return Status::Ok();
}

Status ClipModel::EncodeImages(const float* pixels, size_t num_images, const ClipEncodeParams& params, float* out) {
  std::vector<float> full(num_images * dimension());
  SK_RETURN_IF_ERROR(towers_->EncodeImages(pixels, num_images, full.data()));
  Finish(full, num_images, params, out);
  return Status::Ok();
}

}  // namespace sk::pipeline
