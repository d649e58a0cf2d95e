// Pillow's Image.resize for 8-bit RGB, ported from its src/libImaging/Resample.c (and, for
// NEAREST, Geometry.c's affine scaling) so that a resized image is byte for byte what PIL
// gives (transformers' CLIP image processor resizes with PIL): the filter's support widened by
// the reduction factor, coefficients normalised in double and rounded to 22-bit fixed point, a
// horizontal pass (only over the rows the vertical pass reads) rounded and clipped to 8 bits,
// then the vertical pass.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"

namespace sk::image {

// PIL's resampling filters, numbered as PIL.Image.Resampling is (the `resample` of an image
// processor config). NEAREST (0) is not a convolution in PIL: it samples (see ResizeRgb8).
enum class ResampleFilter : int { kNearest = 0, kLanczos = 1, kBilinear = 2, kBicubic = 3, kBox = 4, kHamming = 5 };

// Whether `resample` names one of the filters above.
bool IsSupportedResample(int resample);

// Resizes the interleaved RGB image `src` (width x height, 3 bytes a pixel, rows packed) to
// out_width x out_height into `dst` (rows packed). An unchanged size copies, as PIL does.
Status ResizeRgb8(const uint8_t* src, size_t width, size_t height, size_t out_width, size_t out_height,
                  ResampleFilter filter, uint8_t* dst);

}  // namespace sk::image
