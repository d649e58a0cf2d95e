#include "image/image_processor.h"

#include <algorithm>
#include <string>
#include <vector>

namespace sk::image {

size_t BytesPerPixel(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return 1;
    case PixelFormat::kGrayAlpha8: return 2;
    case PixelFormat::kRgb8: return 3;
    case PixelFormat::kRgba8: return 4;
    case PixelFormat::kGray16: return 2;
    case PixelFormat::kCmyk8: return 4;
  }
  return 3;
}

void ResizedSize(const ImageProcessorConfig& config, size_t width, size_t height, size_t* resized_height,
                 size_t* resized_width) {
  if (!config.do_resize) {
    *resized_height = height;
    *resized_width = width;
  } else if (config.shortest_edge > 0) {
    // new_long = int(size * long / short): the product is exact, the division a double.
    const size_t shorter = width <= height ? width : height;
    const size_t longer = width <= height ? height : width;
    const auto new_long = static_cast<size_t>(static_cast<double>(config.shortest_edge * longer) /
                                              static_cast<double>(shorter));
    *resized_height = width <= height ? new_long : config.shortest_edge;
    *resized_width = width <= height ? config.shortest_edge : new_long;
  } else {
    *resized_height = config.resize_height;
    *resized_width = config.resize_width;
  }
}

void OutputSize(const ImageProcessorConfig& config, size_t width, size_t height, size_t* out_height,
                size_t* out_width) {
  if (config.do_center_crop) {
    *out_height = config.crop_height;
    *out_width = config.crop_width;
    return;
  }
  ResizedSize(config, width, height, out_height, out_width);
}

namespace {

// Pillow's MULDIV255: a * b / 255, rounded, in integers.
inline int MulDiv255(int a, int b) {
  const int tmp = a * b + 128;
  return ((tmp >> 8) + tmp) >> 8;
}

}  // namespace

void ToRgb8(const ImageView& image, uint8_t* rgb) {
  const size_t pixels = image.width * image.height;
  const uint8_t* in = image.data;
  switch (image.format) {
    case PixelFormat::kRgb8:
      std::copy(in, in + pixels * 3, rgb);
      return;
    case PixelFormat::kRgba8:
      for (size_t i = 0; i < pixels; ++i, in += 4, rgb += 3) rgb[0] = in[0], rgb[1] = in[1], rgb[2] = in[2];
      return;
    case PixelFormat::kGray8:
    case PixelFormat::kGrayAlpha8: {
      const size_t step = BytesPerPixel(image.format);
      for (size_t i = 0; i < pixels; ++i, in += step, rgb += 3) rgb[0] = rgb[1] = rgb[2] = in[0];
      return;
    }
    case PixelFormat::kGray16:
      for (size_t i = 0; i < pixels; ++i, in += 2, rgb += 3) {
        const unsigned value = in[0] | (in[1] << 8);
        rgb[0] = rgb[1] = rgb[2] = static_cast<uint8_t>(value > 255 ? 255 : value);
      }
      return;
    case PixelFormat::kCmyk8:
      // Pillow's cmyk2rgb: each of C, M, Y taken out of the white that K leaves.
      for (size_t i = 0; i < pixels; ++i, in += 4, rgb += 3) {
        const int white = 255 - in[3];
        for (int c = 0; c < 3; ++c) rgb[c] = static_cast<uint8_t>(white - MulDiv255(in[c], white));
      }
      return;
  }
}

namespace {

// Where row/column 0 of the crop is in the resized image: (size - crop) // 2 when the image is
// at least as large; when it is smaller, transformers pads by ceil((crop - size) / 2) first,
// so the source starts that far into the crop (a negative offset), zeros around it.
long CropOffset(size_t size, size_t crop) {
  if (size >= crop) return static_cast<long>((size - crop) / 2);
  return -static_cast<long>((crop - size + 1) / 2);
}

}  // namespace

Status PreprocessImage(const ImageView& image, const ImageProcessorConfig& config, size_t out_height,
                       size_t out_width, float* out) {
  if (image.width == 0 || image.height == 0) return InvalidArgument("image has a zero side");
  size_t expected_height = 0, expected_width = 0;
  OutputSize(config, image.width, image.height, &expected_height, &expected_width);
  if (expected_height != out_height || expected_width != out_width) {
    return InvalidArgument("image of " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                           " preprocesses to " + std::to_string(expected_width) + "x" +
                           std::to_string(expected_height) + ", not the batch's " + std::to_string(out_width) +
                           "x" + std::to_string(out_height) + " (the processor neither crops nor resizes to one size)");
  }
  // RGB input is read in place; anything else is converted first.
  std::vector<uint8_t> rgb;
  const uint8_t* source = image.data;
  if (image.format != PixelFormat::kRgb8) {
    rgb.resize(image.width * image.height * 3);
    ToRgb8(image, rgb.data());
    source = rgb.data();
  }
  size_t height = image.height, width = image.width;
  ResizedSize(config, image.width, image.height, &height, &width);
  if (height == 0 || width == 0) return InvalidArgument("image resizes to a zero side");
  // A thin image's shortest edge scaled up makes its long side huge (1 x 20000 at 224: 224 x
  // 4,480,000); refuse what PIL's own pixel limit would refuse rather than allocate it.
  if (height > kMaxResizedPixels / width) {
    return InvalidArgument(std::string(kTooLargePrefix) + "it resizes to " + std::to_string(width) + " x " +
                           std::to_string(height) + ", more than " + std::to_string(kMaxResizedPixels) + " pixels");
  }
  std::vector<uint8_t> resized;
  const uint8_t* pixels = source;
  if (height != image.height || width != image.width) {
    resized.resize(height * width * 3);
    Status status = ResizeRgb8(source, image.width, image.height, width, height, config.resample, resized.data());
    if (!status.ok()) return status;
    pixels = resized.data();
  }
  const long top = config.do_center_crop ? CropOffset(height, out_height) : 0;
  const long left = config.do_center_crop ? CropOffset(width, out_width) : 0;
  for (size_t c = 0; c < 3; ++c) {
    // The value of byte u after rescale and normalise, once per byte value.
    float lookup[256];
    for (int u = 0; u < 256; ++u) {
      float value = config.do_rescale ? static_cast<float>(static_cast<double>(u) * config.rescale_factor)
                                      : static_cast<float>(u);
      if (config.do_normalize) value = (value - config.mean[c]) / config.std[c];
      lookup[u] = value;
    }
    float* plane = out + c * out_height * out_width;
    for (size_t y = 0; y < out_height; ++y) {
      const long source_y = static_cast<long>(y) + top;
      const bool row_inside = source_y >= 0 && source_y < static_cast<long>(height);
      for (size_t x = 0; x < out_width; ++x) {
        const long source_x = static_cast<long>(x) + left;
        const bool inside = row_inside && source_x >= 0 && source_x < static_cast<long>(width);
        const uint8_t u = inside ? pixels[(static_cast<size_t>(source_y) * width + source_x) * 3 + c] : 0;
        plane[y * out_width + x] = lookup[u];
      }
    }
  }
  return Status::Ok();
}

}  // namespace sk::image
