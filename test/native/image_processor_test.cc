// CLIP image preprocessing (native/image) against PIL + transformers: the raw-pixel fixtures
// of test/tools/image_fixtures.py through the odd-crop config (resize, pad rows, crop
// columns) must give Python's uint8 tensors exactly, and the hand-checkable cases below.
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "fixtures.h"
#include "image/image_batch.h"
#include "image/image_processor.h"
#include "image/pil_resample.h"

namespace {

using sk::image::ImageProcessorConfig;
using sk::image::ImageView;
using sk::image::PixelFormat;

ImageProcessorConfig Unnormalised(ImageProcessorConfig config) {
  config.do_rescale = false;
  config.do_normalize = false;
  return config;
}

// odd-crop/processor_config.json: shortest edge 35, crop 37 x 33.
ImageProcessorConfig OddCrop() {
  ImageProcessorConfig config;
  config.shortest_edge = 35;
  config.crop_height = 37;
  config.crop_width = 33;
  return config;
}

}  // namespace

TEST(image_resize_keeps_an_unchanged_size_and_a_single_pixel) {
  std::vector<uint8_t> pixels = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
  std::vector<uint8_t> out(pixels.size());
  CHECK(sk::image::ResizeRgb8(pixels.data(), 2, 2, 2, 2, sk::image::ResampleFilter::kBicubic, out.data()).ok());
  CHECK(out == pixels);
  const uint8_t one[3] = {200, 30, 90};
  std::vector<uint8_t> up(7 * 5 * 3);
  CHECK(sk::image::ResizeRgb8(one, 1, 1, 7, 5, sk::image::ResampleFilter::kBicubic, up.data()).ok());
  for (size_t i = 0; i < up.size(); ++i) CHECK(up[i] == one[i % 3]) << "byte " << i;
}

TEST(image_box_filter_halving_averages_pairs) {
  // PIL's BOX at a factor of 2 averages each pair, rounding half up in fixed point.
  const uint8_t row[12] = {0, 0, 0, 10, 20, 31, 100, 100, 100, 200, 201, 255};
  uint8_t out[6];
  CHECK(sk::image::ResizeRgb8(row, 4, 1, 2, 1, sk::image::ResampleFilter::kBox, out).ok());
  const uint8_t expected[6] = {5, 10, 16, 150, 151, 178};
  for (int i = 0; i < 6; ++i) CHECK(out[i] == expected[i]) << "channel " << i << ": " << int{out[i]};
}

TEST(image_output_size_follows_transformers) {
  ImageProcessorConfig config;  // shortest edge 224, crop 224
  config.do_center_crop = false;
  size_t h = 0, w = 0;
  sk::image::OutputSize(config, 640, 480, &h, &w);
  CHECK(h == 224 && w == 298) << h << "x" << w;  // int(224 * 640 / 480) = 298
  sk::image::OutputSize(config, 20, 300, &h, &w);
  CHECK(h == 3360 && w == 224) << h << "x" << w;
  config.do_center_crop = true;
  sk::image::OutputSize(config, 20, 300, &h, &w);
  CHECK(h == 224 && w == 224);
}

TEST(image_gray16_clips_like_pil_convert) {
  const uint16_t grey[3] = {7, 255, 5007};
  std::vector<uint8_t> rgb(9);
  sk::image::ToRgb8({reinterpret_cast<const uint8_t*>(grey), 3, 1, PixelFormat::kGray16}, rgb.data());
  CHECK(rgb[0] == 7 && rgb[3] == 255 && rgb[6] == 255 && rgb[7] == 255);
}

TEST(image_raw_fixtures_match_python_exactly) {
  const sk::JsonValue reference = sktest::ReadFixtureJson("images/reference.json");
  std::string tensors;
  CHECK(sk::ReadWholeFile(sktest::FixturePath("images/odd-crop.u8"), &tensors).ok());
  const sk::JsonValue* rows = reference.Find("configs")->Find("odd-crop")->Find("rows");
  const ImageProcessorConfig config = Unnormalised(OddCrop());
  int checked = 0;
  for (const sk::JsonValue& entry : reference.Find("images")->array()) {
    if (entry.Find("kind")->string() != "raw") continue;
    std::string pixels;
    CHECK(sk::ReadWholeFile(sktest::FixturePath("images/" + entry.Find("file")->string()), &pixels).ok());
    const int64_t channels = entry.Find("channels")->integer();
    const PixelFormat format = channels == 1   ? PixelFormat::kGray8
                               : channels == 2 ? PixelFormat::kGrayAlpha8
                               : channels == 3 ? PixelFormat::kRgb8
                                               : PixelFormat::kRgba8;
    const ImageView view{reinterpret_cast<const uint8_t*>(pixels.data()),
                         static_cast<size_t>(entry.Find("width")->integer()),
                         static_cast<size_t>(entry.Find("height")->integer()), format};
    std::vector<float> out(3 * 37 * 33);
    CHECK(sk::image::PreprocessImage(view, config, 37, 33, out.data()).ok());
    const sk::JsonValue* row = nullptr;
    for (const sk::JsonValue& candidate : rows->array()) {
      if (candidate.Find("name")->string() == entry.Find("name")->string()) row = &candidate;
    }
    CHECK(row != nullptr);
    const auto* expected = reinterpret_cast<const uint8_t*>(tensors.data()) + row->Find("offset")->integer();
    int mismatches = 0;
    for (size_t i = 0; i < out.size(); ++i) mismatches += out[i] != static_cast<float>(expected[i]);
    CHECK(mismatches == 0) << entry.Find("name")->string() << ": " << mismatches << " values differ";
    ++checked;
  }
  CHECK(checked == 4);
}

TEST(image_batch_zeroes_a_failing_image_and_keeps_the_others) {
  const uint8_t pixel[3] = {255, 0, 128};
  ImageProcessorConfig config = OddCrop();
  std::vector<ImageView> images = {{pixel, 1, 1, PixelFormat::kRgb8}, {pixel, 0, 1, PixelFormat::kRgb8},
                                   {pixel, 1, 1, PixelFormat::kRgb8}};
  std::vector<float> out(3 * 3 * 37 * 33, -7.0f);
  const auto statuses = sk::image::PreprocessBatch(images, config, 37, 33, out.data());
  CHECK(statuses[0].ok() && !statuses[1].ok() && statuses[2].ok());
  const size_t per_image = 3 * 37 * 33;
  for (size_t i = 0; i < per_image; ++i) CHECK(out[per_image + i] == 0.0f);
  // The 1x1 image resizes to 35 x 35; row 0 of the 37 is padding (a normalised zero), row 1 the pixel.
  const float red = static_cast<float>(static_cast<double>(255) * config.rescale_factor);
  CHECK(out[33 + 5] == (red - config.mean[0]) / config.std[0]);
  CHECK(out[0] == (0.0f - config.mean[0]) / config.std[0]);
  CHECK(out[2 * per_image + 40] == out[40]);
}
