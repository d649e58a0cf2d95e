#include "cpu_engine/clip_encoder.h"

#include <algorithm>

#include "cpu_engine/block_ops.h"

namespace sk::cpu {
namespace {

// Inputs per lane batch: a ViT-B/32 image is 50 rows, so 8 fill the GEMMs' 64-row blocks
// several times over; texts are at most 77 rows.
constexpr size_t kImagesPerBatch = 8;
constexpr size_t kTextsPerBatch = 16;

// Consecutive chunks of at most `most`, at least one per lane while there are inputs to spare.
size_t ChunkSize(size_t count, size_t lanes, size_t most) {
  return std::max<size_t>(1, std::min(most, (count + lanes - 1) / lanes));
}

}  // namespace

Status ClipEncoder::Load(const std::string& model_dir, const LoadOptions& options, std::unique_ptr<ClipEncoder>* out) {
  std::unique_ptr<ClipEncoder> engine(new ClipEncoder());
  engine->precision_ = options.precision;
  SK_RETURN_IF_ERROR(model::ReadClipConfig(model_dir + "/config.json", &engine->config_));
  model::SafetensorsFile weights;
  const std::string path = options.weights_path.empty() ? model_dir + "/model.safetensors" : options.weights_path;
  SK_RETURN_IF_ERROR((model::WeightsFile{path, options.weights_table}).Open(&weights));
  SK_RETURN_IF_ERROR(engine->LoadWeights(weights));
  engine->pool_ = std::make_unique<ThreadPool>(options.threads);
  engine->lanes_.resize(engine->pool_->size());
  *out = std::move(engine);
  return Status::Ok();
}

Status ClipEncoder::LoadWeights(const model::SafetensorsFile& file) {
  // transformers' CLIPModel names its parts text_model.*, vision_model.*; a checkpoint saved
  // from a wrapper may prefix them (model.text_model.*).
  std::string prefix;
  for (const auto& [name, entry] : file.entries()) {
    const size_t at = name.find("text_model.embeddings.token_embedding.weight");
    if (at != std::string::npos) {
      prefix = name.substr(0, at);
      break;
    }
  }
  const model::ClipConfig& c = config_;
  const int64_t TH = c.text.hidden_size, VH = c.vision.hidden_size, P = c.projection_dim;
  const int64_t patch_values = static_cast<int64_t>(c.num_channels) * c.patch_size * c.patch_size;
  auto read = [&](const std::string& name, const std::vector<int64_t>& shape, std::vector<float>* values) {
    return file.ReadFloat32(prefix + name, shape, values);
  };
  SK_RETURN_IF_ERROR(read("text_model.embeddings.token_embedding.weight", {c.vocab_size, TH}, &token_embedding_));
  SK_RETURN_IF_ERROR(read("text_model.embeddings.position_embedding.weight", {c.max_positions, TH}, &text_positions_));
  SK_RETURN_IF_ERROR(read("text_model.final_layer_norm.weight", {TH}, &final_norm_weight_));
  SK_RETURN_IF_ERROR(read("text_model.final_layer_norm.bias", {TH}, &final_norm_bias_));
  SK_RETURN_IF_ERROR(read("text_projection.weight", {P, TH}, &text_projection_));
  std::vector<float> kernel;
  SK_RETURN_IF_ERROR(read("vision_model.embeddings.patch_embedding.weight",
                          {VH, c.num_channels, c.patch_size, c.patch_size}, &kernel));
  patch_embedding_.Load(kernel, std::vector<float>(VH, 0.0f), VH, patch_values, precision_);
  SK_RETURN_IF_ERROR(read("vision_model.embeddings.class_embedding", {VH}, &class_embedding_));
  SK_RETURN_IF_ERROR(read("vision_model.embeddings.position_embedding.weight", {c.image_tokens(), VH}, &vision_positions_));
  SK_RETURN_IF_ERROR(read("vision_model.pre_layrnorm.weight", {VH}, &pre_norm_weight_));
  SK_RETURN_IF_ERROR(read("vision_model.pre_layrnorm.bias", {VH}, &pre_norm_bias_));
  SK_RETURN_IF_ERROR(read("vision_model.post_layernorm.weight", {VH}, &post_norm_weight_));
  SK_RETURN_IF_ERROR(read("vision_model.post_layernorm.bias", {VH}, &post_norm_bias_));
  SK_RETURN_IF_ERROR(read("visual_projection.weight", {P, VH}, &visual_projection_));
  SK_RETURN_IF_ERROR(text_.Load(file, prefix + "text_model.", c.text, precision_));
  return vision_.Load(file, prefix + "vision_model.", c.vision, precision_);
}

void ClipEncoder::Project(const float* row, const std::vector<float>& norm_weight, const std::vector<float>& norm_bias,
                          float eps, const std::vector<float>& projection, size_t width, Lane& lane, float* out) const {
  RowNorm norm;
  norm.weight = norm_weight.data();
  norm.bias = norm_bias.data();
  norm.eps = eps;
  norm.rms = false;
  lane.pooled.resize(width);
  NormRow(norm, row, width, lane.pooled.data());
  for (size_t p = 0; p < dimension(); ++p) {
    const float* weights = projection.data() + p * width;
    double sum = 0.0;
    for (size_t c = 0; c < width; ++c) sum += static_cast<double>(weights[c]) * lane.pooled[c];
    out[p] = static_cast<float>(sum);
  }
}

Status ClipEncoder::EncodeTexts(const int32_t* ids, const int32_t* offsets, size_t num_texts, float* out) {
  if (num_texts == 0) return Status::Ok();
  if (offsets[0] != 0) return InvalidArgument("text offsets must start at 0");
  for (size_t s = 0; s < num_texts; ++s) {
    const int32_t length = offsets[s + 1] - offsets[s];
    if (length <= 0 || length > config_.max_positions) {
      return InvalidArgument("text " + std::to_string(s) + " has " + std::to_string(length) + " tokens; the CLIP text tower takes 1 to " +
                             std::to_string(config_.max_positions));
    }
    for (int32_t t = offsets[s]; t < offsets[s + 1]; ++t) {
      if (ids[t] < 0 || ids[t] >= config_.vocab_size) return InvalidArgument("token id " + std::to_string(ids[t]) + " is outside the vocabulary");
    }
  }
  const size_t chunk = ChunkSize(num_texts, lanes(), kTextsPerBatch), chunks = (num_texts + chunk - 1) / chunk;
  if (chunks == 1) {
    RunTexts(ids, offsets, 0, num_texts, 0, lanes() > 1 ? pool_.get() : nullptr, out);
    return Status::Ok();
  }
  pool_->ParallelFor(chunks, [&](size_t index, size_t slot) {
    RunTexts(ids, offsets, index * chunk, std::min(num_texts, (index + 1) * chunk), slot, nullptr, out);
  });
  return Status::Ok();
}

void ClipEncoder::RunTexts(const int32_t* ids, const int32_t* offsets, size_t begin, size_t end, size_t lane_index,
                           ThreadPool* pool, float* out) {
  Lane& lane = lanes_[lane_index];
  const size_t H = config_.text.hidden_size, base = offsets[begin], tokens = offsets[end] - base;
  lane.offsets.resize(end - begin + 1);
  for (size_t s = begin; s <= end; ++s) lane.offsets[s - begin] = offsets[s] - static_cast<int32_t>(base);
  if (lane.hidden.size() < tokens * H) lane.hidden.resize(tokens * H);
  for (size_t s = begin; s < end; ++s) {
    for (int32_t t = offsets[s]; t < offsets[s + 1]; ++t) {
      const float* word = token_embedding_.data() + static_cast<size_t>(ids[t]) * H;
      const float* position = text_positions_.data() + static_cast<size_t>(t - offsets[s]) * H;
      float* row = lane.hidden.data() + (t - base) * H;
      for (size_t c = 0; c < H; ++c) row[c] = word[c] + position[c];
    }
  }
  text_.Run(lane.text, lane.hidden.data(), lane.offsets.data(), end - begin, true, pool, lane_index);
  for (size_t s = begin; s < end; ++s) {
    // transformers' CLIPTextTransformer: the first end-of-text token, or (configs with
    // eos_token_id 2) the first largest id; position 0 when a text has no end-of-text token.
    int32_t pooled = offsets[s];
    if (config_.pools_at_argmax()) {
      for (int32_t t = offsets[s]; t < offsets[s + 1]; ++t) {
        if (ids[t] > ids[pooled]) pooled = t;
      }
    } else {
      for (int32_t t = offsets[s]; t < offsets[s + 1]; ++t) {
        if (ids[t] == config_.eos_token_id) {
          pooled = t;
          break;
        }
      }
    }
    Project(lane.hidden.data() + (pooled - base) * H, final_norm_weight_, final_norm_bias_, config_.text.layer_norm_eps,
            text_projection_, H, lane, out + s * dimension());
  }
}

Status ClipEncoder::EncodeImages(const float* pixels, size_t num_images, float* out) {
  if (num_images == 0) return Status::Ok();
  const size_t chunk = ChunkSize(num_images, lanes(), kImagesPerBatch), chunks = (num_images + chunk - 1) / chunk;
  if (chunks == 1) {
    RunImages(pixels, 0, num_images, 0, lanes() > 1 ? pool_.get() : nullptr, out);
    return Status::Ok();
  }
  pool_->ParallelFor(chunks, [&](size_t index, size_t slot) {
    RunImages(pixels, index * chunk, std::min(num_images, (index + 1) * chunk), slot, nullptr, out);
  });
  return Status::Ok();
}

void ClipEncoder::RunImages(const float* pixels, size_t begin, size_t end, size_t lane_index, ThreadPool* pool, float* out) {
  Lane& lane = lanes_[lane_index];
  const size_t H = config_.vision.hidden_size, C = config_.num_channels, S = config_.image_size, P = config_.patch_size;
  const size_t side = S / P, patches = side * side, per_image = patches + 1, images = end - begin;
  const size_t patch_values = C * P * P, image_values = C * S * S;
  // The convolution (stride = kernel = patch, no bias) as one GEMM: each patch unfolded into a
  // row in the kernel's (channel, y, x) order.
  lane.patches.Reserve(precision_, images * patches, patch_values);
  lane.patch_row.resize(patch_values);
  for (size_t i = 0; i < images; ++i) {
    const float* image = pixels + (begin + i) * image_values;
    for (size_t py = 0; py < side; ++py) {
      for (size_t px = 0; px < side; ++px) {
        float* row = lane.patch_row.data();
        for (size_t c = 0; c < C; ++c) {
          for (size_t y = 0; y < P; ++y) {
            const float* source = image + c * S * S + (py * P + y) * S + px * P;
            std::copy_n(source, P, row + (c * P + y) * P);
          }
        }
        lane.patches.Set(i * patches + py * side + px, row, patch_values);
      }
    }
  }
  const size_t tokens = images * per_image;
  if (lane.hidden.size() < tokens * H) lane.hidden.resize(tokens * H);
  // Patch p of image i lands in its token row 1 + p; the class token is row 0.
  if (lane.patch_out.size() < images * patches * H) lane.patch_out.resize(images * patches * H);
  patch_embedding_.Apply(
      lane.patches, images * patches, kernels::GemmActivation::kNone, H,
      [&](size_t, size_t first) { return lane.patch_out.data() + first * H; }, nullptr, pool, lane_index);
  lane.offsets.resize(images + 1);
  RowNorm pre_norm;
  pre_norm.weight = pre_norm_weight_.data();
  pre_norm.bias = pre_norm_bias_.data();
  pre_norm.eps = config_.vision.layer_norm_eps;
  pre_norm.rms = false;
  for (size_t i = 0; i < images; ++i) {
    lane.offsets[i] = static_cast<int32_t>(i * per_image);
    for (size_t t = 0; t < per_image; ++t) {
      float* row = lane.hidden.data() + (i * per_image + t) * H;
      const float* source = t == 0 ? class_embedding_.data() : lane.patch_out.data() + (i * patches + t - 1) * H;
      const float* position = vision_positions_.data() + t * H;
      for (size_t c = 0; c < H; ++c) row[c] = source[c] + position[c];
      NormRow(pre_norm, row, H, row);
    }
  }
  lane.offsets[images] = static_cast<int32_t>(tokens);
  vision_.Run(lane.vision, lane.hidden.data(), lane.offsets.data(), images, false, pool, lane_index);
  for (size_t i = 0; i < images; ++i) {
    Project(lane.hidden.data() + i * per_image * H, post_norm_weight_, post_norm_bias_, config_.vision.layer_norm_eps,
            visual_projection_, H, lane, out + (begin + i) * dimension());
  }
}

}  // namespace sk::cpu
