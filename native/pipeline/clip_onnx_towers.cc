// ONNX Runtime behind ClipTowers. Texts are sorted longest first and cut into padded batches
// (the batching path every padded backend takes); images run in parts of a bounded size. A
// single-graph export (optimum's CLIPModel) needs both towers' inputs on every run: the tower
// not asked for gets the smallest input it accepts (one pad token, one blank image), and only
// the asked-for output is fetched.
#include <algorithm>
#include <cstring>
#include <thread>

#include "pipeline/batch_cut.h"
#include "pipeline/clip_towers.h"
#include "runtime/ort_graph.h"

namespace sk::pipeline {
namespace {

constexpr size_t kTextsPerRun = 32;
// A ViT-B/32 image is 50 tokens: 32 of them are a batch of ordinary size for ONNX Runtime.
constexpr size_t kImagesPerRun = 32;

constexpr const char* kIds = "input_ids";
constexpr const char* kMask = "attention_mask";
constexpr const char* kPixels = "pixel_values";
constexpr const char* kTextEmbeds = "text_embeds";
constexpr const char* kImageEmbeds = "image_embeds";

// Every input of `graph` is one of `allowed`, and the `required` ones are there.
Status CheckInputs(const ort::OrtGraph& graph, const std::vector<std::string>& allowed,
                   const std::vector<std::string>& required) {
  std::string expected;
  for (const std::string& name : allowed) expected += (expected.empty() ? "" : ", ") + name;
  for (const std::string& name : graph.input_names()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return ModelLoadError(graph.model_path() + " has an input '" + name + "' a CLIP tower does not take (expected " +
                            expected + ")");
    }
  }
  for (const std::string& name : required) {
    if (!graph.HasInput(name)) return ModelLoadError(graph.model_path() + " has no input '" + name + "'");
  }
  return Status::Ok();
}

// `output` is a float32 [batch, projection_dim] tensor (its width unchecked where symbolic).
Status CheckOutput(const ort::OrtGraph& graph, const std::string& output, int projection_dim) {
  std::vector<int64_t> dims;
  const ONNXTensorElementDataType type = graph.OutputType(output, &dims);
  if (!graph.HasOutput(output)) {
    return ModelLoadError(graph.model_path() + " has no output '" + output +
                          "' (export the tower with its projection: CLIPTextModelWithProjection / CLIPVisionModelWithProjection)");
  }
  if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
    return ModelLoadError(graph.model_path() + ": output '" + output + "' is not float32 (export the model with float32 outputs)");
  }
  if (dims.size() != 2 || (dims[1] > 0 && dims[1] != projection_dim)) {
    std::string shape;
    for (int64_t d : dims) shape += (shape.empty() ? "" : ", ") + (d < 0 ? std::string("?") : std::to_string(d));
    return ModelLoadError(graph.model_path() + ": output '" + output + "' has shape [" + shape +
                          "] but config.json's projection_dim makes it [batch, " + std::to_string(projection_dim) + "]");
  }
  return Status::Ok();
}

ort::NamedInput Int64Input(const char* name, const std::vector<int64_t>& values, size_t rows, size_t columns) {
  return {name, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, values.data(), rows * columns * sizeof(int64_t),
          {static_cast<int64_t>(rows), static_cast<int64_t>(columns)}};
}

class OnnxClipTowers final : public ClipTowers {
 public:
  Status Load(const ClipOnnxFiles& files, const ort::SessionOptions& session, const model::ClipConfig& config,
              int64_t pad_id) {
    config_ = config;
    pad_id_ = pad_id;
    threads_ = session.intra_op_threads > 0 ? static_cast<size_t>(session.intra_op_threads)
                                            : std::max(1u, std::thread::hardware_concurrency());
    if (!files.model.empty()) {
      SK_RETURN_IF_ERROR(ort::OrtGraph::Load(files.model, session, &combined_));
      SK_RETURN_IF_ERROR(CheckInputs(*combined_, {kIds, kMask, kPixels}, {kIds, kPixels}));
      SK_RETURN_IF_ERROR(CheckOutput(*combined_, kTextEmbeds, config.projection_dim));
      SK_RETURN_IF_ERROR(CheckOutput(*combined_, kImageEmbeds, config.projection_dim));
      text_ = vision_ = combined_.get();
      // The other tower's input on each run: one token, one blank image.
      blank_image_.assign(ImageValues(), 0.0f);
      lone_token_ = {pad_id_};
      lone_mask_ = {1};
      return Status::Ok();
    }
    if (files.text_model.empty() || files.vision_model.empty()) {
      return ModelLoadError("a CLIP export needs both towers: " +
                            (files.text_model.empty() ? std::string("the text model") : std::string("the vision model")) +
                            " is missing");
    }
    SK_RETURN_IF_ERROR(ort::OrtGraph::Load(files.text_model, session, &text_graph_));
    SK_RETURN_IF_ERROR(CheckInputs(*text_graph_, {kIds, kMask}, {kIds}));
    SK_RETURN_IF_ERROR(CheckOutput(*text_graph_, kTextEmbeds, config.projection_dim));
    SK_RETURN_IF_ERROR(ort::OrtGraph::Load(files.vision_model, session, &vision_graph_));
    SK_RETURN_IF_ERROR(CheckInputs(*vision_graph_, {kPixels}, {kPixels}));
    SK_RETURN_IF_ERROR(CheckOutput(*vision_graph_, kImageEmbeds, config.projection_dim));
    text_ = text_graph_.get();
    vision_ = vision_graph_.get();
    return Status::Ok();
  }

  const char* backend() const override { return "onnx"; }
  size_t threads() const override { return threads_; }
  bool normalizes() const override { return combined_ != nullptr; }

  Status EncodeTexts(const std::vector<tok::Encoding>& encodings, float* out) override {
    BatchLimits limits;
    limits.max_rows = kTextsPerRun;
    BatchPlan plan;
    SK_RETURN_IF_ERROR(PlanBatches(encodings, BatchPolicy{}, limits, &plan));
    const size_t width = static_cast<size_t>(config_.projection_dim);
    for (size_t b = 0; b < plan.size(); ++b) {
      const size_t* rows = plan.rows(b);
      const size_t count = plan.count(b);
      size_t seq = 1;
      for (size_t r = 0; r < count; ++r) seq = std::max(seq, encodings[rows[r]].ids.size());
      ids_.assign(count * seq, pad_id_);
      mask_.assign(count * seq, 0);
      for (size_t r = 0; r < count; ++r) {
        const std::vector<int64_t>& ids = encodings[rows[r]].ids;
        std::copy(ids.begin(), ids.end(), ids_.begin() + static_cast<std::ptrdiff_t>(r * seq));
        std::fill_n(mask_.begin() + static_cast<std::ptrdiff_t>(r * seq), ids.size(), 1);
      }
      std::vector<ort::NamedInput> inputs{Int64Input(kIds, ids_, count, seq)};
      if (text_->HasInput(kMask)) inputs.push_back(Int64Input(kMask, mask_, count, seq));
      if (combined_ != nullptr) inputs.push_back(PixelInput(blank_image_.data(), 1));
      ort::TensorOutput output;
      SK_RETURN_IF_ERROR(text_->Run(inputs, kTextEmbeds, &output));
      SK_RETURN_IF_ERROR(CheckRows(*text_, kTextEmbeds, output, count));
      for (size_t r = 0; r < count; ++r) std::memcpy(out + rows[r] * width, output.data() + r * width, width * sizeof(float));
    }
    return Status::Ok();
  }

  Status EncodeImages(const float* pixels, size_t num_images, float* out) override {
    const size_t width = static_cast<size_t>(config_.projection_dim);
    for (size_t start = 0; start < num_images; start += kImagesPerRun) {
      const size_t count = std::min(kImagesPerRun, num_images - start);
      std::vector<ort::NamedInput> inputs{PixelInput(pixels + start * ImageValues(), count)};
      if (combined_ != nullptr) {
        inputs.push_back(Int64Input(kIds, lone_token_, 1, 1));
        if (combined_->HasInput(kMask)) inputs.push_back(Int64Input(kMask, lone_mask_, 1, 1));
      }
      ort::TensorOutput output;
      SK_RETURN_IF_ERROR(vision_->Run(inputs, kImageEmbeds, &output));
      SK_RETURN_IF_ERROR(CheckRows(*vision_, kImageEmbeds, output, count));
      std::memcpy(out + start * width, output.data(), count * width * sizeof(float));
    }
    return Status::Ok();
  }

 private:
  size_t ImageValues() const {
    return static_cast<size_t>(config_.num_channels) * config_.image_size * config_.image_size;
  }

  ort::NamedInput PixelInput(const float* data, size_t count) const {
    const int64_t side = config_.image_size;
    return {kPixels, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, data, count * ImageValues() * sizeof(float),
            {static_cast<int64_t>(count), config_.num_channels, side, side}};
  }

  // A symbolic width is only known once the graph has run.
  Status CheckRows(const ort::OrtGraph& graph, const char* name, const ort::TensorOutput& output, size_t count) const {
    const std::vector<int64_t>& shape = output.shape();
    if (shape.size() == 2 && shape[0] == static_cast<int64_t>(count) && shape[1] == config_.projection_dim) return Status::Ok();
    return RuntimeError(graph.model_path() + ": output '" + name + "' is not [" + std::to_string(count) + ", " +
                        std::to_string(config_.projection_dim) + "] for " + std::to_string(count) + " inputs");
  }

  model::ClipConfig config_;
  int64_t pad_id_ = 0;
  size_t threads_ = 1;
  std::unique_ptr<ort::OrtGraph> combined_, text_graph_, vision_graph_;
  const ort::OrtGraph* text_ = nullptr;
  const ort::OrtGraph* vision_ = nullptr;
  std::vector<int64_t> ids_, mask_, lone_token_, lone_mask_;
  std::vector<float> blank_image_;
};

}  // namespace

Status LoadOnnxClipTowers(const ClipOnnxFiles& files, const ort::SessionOptions& session, const model::ClipConfig& config,
                          int64_t pad_id, std::unique_ptr<ClipTowers>* out) {
  auto towers = std::make_unique<OnnxClipTowers>();
  SK_RETURN_IF_ERROR(towers->Load(files, session, config, pad_id));
  *out = std::move(towers);
  return Status::Ok();
}

}  // namespace sk::pipeline
