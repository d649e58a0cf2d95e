// transformers' CLIPImageProcessor (its PIL backend, CLIPImageProcessorPil) for one decoded
// image: convert to RGB as PIL's convert('RGB') does, resize the shortest edge (or to a fixed
// size) with PIL's filter, center crop (zero padding an image smaller than the crop), rescale
// and normalise, written channels-first as float32. The arithmetic follows transformers'
// numpy code: u8 -> double * rescale_factor -> float32, then (x - mean) / std in float32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "image/pil_resample.h"

namespace sk::image {

// How a decoded image's pixels are laid out (interleaved, rows packed).
enum class PixelFormat {
  kGray8,       // PIL "L": convert('RGB') replicates it
  kGrayAlpha8,  // "LA": the grey replicated, alpha dropped
  kRgb8,
  kRgba8,       // alpha dropped without compositing, as convert('RGB') does
  kGray16,      // PIL "I;16" (16-bit grey PNG), little-endian: convert('RGB') clips each value to 255
  kCmyk8,       // PIL "CMYK" (CMYK JPEG, Adobe inversion undone): convert('RGB') is its cmyk2rgb, no ICC
};

size_t BytesPerPixel(PixelFormat format);

struct ImageView {
  const uint8_t* data = nullptr;
  size_t width = 0;
  size_t height = 0;
  PixelFormat format = PixelFormat::kRgb8;
};

struct ImageProcessorConfig {
  bool do_resize = true;
  // Resize target: the shortest edge (aspect kept, get_resize_output_image_size with
  // default_to_square=False) when shortest_edge > 0, otherwise exactly height x width.
  size_t shortest_edge = 224;
  size_t resize_height = 0;
  size_t resize_width = 0;
  ResampleFilter resample = ResampleFilter::kBicubic;
  bool do_center_crop = true;
  size_t crop_height = 224;
  size_t crop_width = 224;
  bool do_rescale = true;
  double rescale_factor = 1.0 / 255.0;
  bool do_normalize = true;
  float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  float std[3] = {0.26862954f, 0.26130258f, 0.27577711f};
};

// The size (height, width) an image of this size has after resize and crop.
void OutputSize(const ImageProcessorConfig& config, size_t width, size_t height, size_t* out_height,
                size_t* out_width);

// The size the resize step gives an image of width x height (its own size when do_resize is off).
void ResizedSize(const ImageProcessorConfig& config, size_t width, size_t height, size_t* resized_height,
                 size_t* resized_width);

// Converts `image` to packed RGB8 (width * height * 3 bytes at `rgb`).
void ToRgb8(const ImageView& image, uint8_t* rgb);

// The most pixels a resized image may have: PIL's decompression-bomb limit (twice
// Image.MAX_IMAGE_PIXELS), the same as for decoded images (lib/image-decode.ts).
constexpr size_t kMaxResizedPixels = 2 * 89478485;
// The start of the message of an image refused for its resized size, so lib/ can tell it apart.
constexpr const char* kTooLargePrefix = "too large: ";

// Preprocesses `image` into out[3][out_height][out_width]; out_height/out_width must be what
// OutputSize gives, else InvalidArgument (a batch needs one size).
Status PreprocessImage(const ImageView& image, const ImageProcessorConfig& config, size_t out_height,
                       size_t out_width, float* out);

}  // namespace sk::image
