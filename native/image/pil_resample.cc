#include "image/pil_resample.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace sk::image {
namespace {

constexpr double kPi = 3.14159265358979323846;  // M_PI, which Resample.c uses

// Each filter and its support exactly as Resample.c writes them (float literals included:
// hamming's 0.54f / 0.46f are floats there, and the weights must round the same way).
double BoxFilter(double x) { return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0; }

double BilinearFilter(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

double HammingFilter(double x) {
  if (x < 0.0) x = -x;
  if (x == 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x = x * kPi;
  return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));
}

double BicubicFilter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double SincFilter(double x) {
  if (x == 0.0) return 1.0;
  x = x * kPi;
  return std::sin(x) / x;
}

double LanczosFilter(double x) {
  if (-3.0 <= x && x < 3.0) return SincFilter(x) * SincFilter(x / 3);
  return 0.0;
}

struct Filter {
  double (*weight)(double);
  double support;
};

Filter FilterFor(ResampleFilter filter) {
  switch (filter) {
    case ResampleFilter::kBox: return {BoxFilter, 0.5};
    case ResampleFilter::kBilinear: return {BilinearFilter, 1.0};
    case ResampleFilter::kHamming: return {HammingFilter, 1.0};
    case ResampleFilter::kBicubic: return {BicubicFilter, 2.0};
    case ResampleFilter::kLanczos: return {LanczosFilter, 3.0};
    case ResampleFilter::kNearest: break;  // not a convolution: ResizeRgb8 samples it
  }
  return {BicubicFilter, 2.0};
}

// 8 bits for the result, 2 for the overshoot of negative lobes, the rest for the fraction.
constexpr int kPrecisionBits = 32 - 8 - 2;

// PIL's clip8: the sum shifted down and clamped to a byte (its lookup table covers -640..639).
inline uint8_t Clip8(int sum) {
  const int value = sum >> kPrecisionBits;
  return value < 0 ? 0 : value > 255 ? 255 : static_cast<uint8_t>(value);
}

// One pass's taps: for each output index, the first input index, the tap count, and ksize
// fixed-point weights.
struct Taps {
  int ksize = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<int32_t> weights;
};

// precompute_coeffs and normalize_coeffs_8bpc, for the whole input (box = 0..in_size).
Taps Precompute(int in_size, int out_size, const Filter& filter) {
  const float in0 = 0.0f, in1 = static_cast<float>(in_size);
  const double scale = static_cast<double>(in1 - in0) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = filter.support * filterscale;
  Taps taps;
  taps.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(out_size);
  taps.count.resize(out_size);
  taps.weights.assign(static_cast<size_t>(out_size) * taps.ksize, 0);
  std::vector<double> k(taps.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    double ww = 0.0;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    for (int x = 0; x < xmax; ++x) {
      const double w = filter.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    int32_t* fixed = &taps.weights[static_cast<size_t>(xx) * taps.ksize];
    for (int x = 0; x < xmax; ++x) {
      const double normalised = ww != 0.0 ? k[x] / ww : k[x];
      fixed[x] = normalised < 0 ? static_cast<int>(-0.5 + normalised * (1 << kPrecisionBits))
                                : static_cast<int>(0.5 + normalised * (1 << kPrecisionBits));
    }
    taps.first[xx] = xmin;
    taps.count[xx] = xmax;
  }
  return taps;
}

// ImagingResampleHorizontal_8bpc over rows [row_begin, row_begin + rows) of `src`.
void Horizontal(const uint8_t* src, size_t width, size_t row_begin, size_t rows, const Taps& taps, size_t out_width,
                uint8_t* dst) {
  for (size_t yy = 0; yy < rows; ++yy) {
    const uint8_t* in = src + (row_begin + yy) * width * 3;
    uint8_t* out = dst + yy * out_width * 3;
    for (size_t xx = 0; xx < out_width; ++xx) {
      const int xmin = taps.first[xx], xmax = taps.count[xx];
      const int32_t* k = &taps.weights[xx * taps.ksize];
      int ss0 = 1 << (kPrecisionBits - 1), ss1 = ss0, ss2 = ss0;
      const uint8_t* pixel = in + static_cast<size_t>(xmin) * 3;
      for (int x = 0; x < xmax; ++x, pixel += 3) {
        ss0 += pixel[0] * k[x];
        ss1 += pixel[1] * k[x];
        ss2 += pixel[2] * k[x];
      }
      out[xx * 3 + 0] = Clip8(ss0);
      out[xx * 3 + 1] = Clip8(ss1);
      out[xx * 3 + 2] = Clip8(ss2);
    }
  }
}

// ImagingResampleVertical_8bpc; `taps.first` is relative to row `row_shift` of the input, the
// first row of `src`. Whole rows are accumulated at a time (the same integer sums as PIL's
// per-pixel loop, in a cache-friendly order).
void Vertical(const uint8_t* src, size_t width, const Taps& taps, int row_shift, size_t out_height, uint8_t* dst) {
  const size_t stride = width * 3;
  std::vector<int> sums(stride);
  for (size_t yy = 0; yy < out_height; ++yy) {
    const int ymin = taps.first[yy] - row_shift, ymax = taps.count[yy];
    const int32_t* k = &taps.weights[yy * taps.ksize];
    std::fill(sums.begin(), sums.end(), 1 << (kPrecisionBits - 1));
    for (int y = 0; y < ymax; ++y) {
      const uint8_t* in = src + static_cast<size_t>(ymin + y) * stride;
      const int weight = k[y];
      for (size_t i = 0; i < stride; ++i) sums[i] += in[i] * weight;
    }
    uint8_t* out = dst + yy * stride;
    for (size_t i = 0; i < stride; ++i) out[i] = Clip8(sums[i]);
  }
}

}  // namespace

bool IsSupportedResample(int resample) { return resample >= 0 && resample <= 5; }

namespace {

// PIL's NEAREST: Image.resize hands it to an affine transform, whose pure-scaling case
// (Geometry.c, ImagingScaleAffine) takes for each output pixel the source pixel under its
// centre. The source positions are accumulated by repeated addition, as there, so that they
// truncate to the same columns and rows where a product would round differently.
void Nearest(const uint8_t* src, size_t width, size_t height, size_t out_width, size_t out_height, uint8_t* dst) {
  const double step_x = static_cast<double>(static_cast<float>(width)) / static_cast<double>(out_width);
  const double step_y = static_cast<double>(static_cast<float>(height)) / static_cast<double>(out_height);
  auto coord = [](double v) { return v < 0.0 ? -1 : static_cast<int>(v); };
  std::vector<size_t> columns(out_width);
  double xo = step_x * 0.5;
  for (size_t x = 0; x < out_width; ++x, xo += step_x) {
    columns[x] = static_cast<size_t>(std::clamp(coord(xo), 0, static_cast<int>(width) - 1));
  }
  double yo = step_y * 0.5;
  for (size_t y = 0; y < out_height; ++y, yo += step_y) {
    const uint8_t* row = src + static_cast<size_t>(std::clamp(coord(yo), 0, static_cast<int>(height) - 1)) * width * 3;
    uint8_t* out = dst + y * out_width * 3;
    for (size_t x = 0; x < out_width; ++x) std::memcpy(out + x * 3, row + columns[x] * 3, 3);
  }
}

}  // namespace

Status ResizeRgb8(const uint8_t* src, size_t width, size_t height, size_t out_width, size_t out_height,
                  ResampleFilter filter, uint8_t* dst) {
  if (width == 0 || height == 0 || out_width == 0 || out_height == 0) {
    return InvalidArgument("cannot resize an image with a zero side");
  }
  constexpr size_t kMaxSide = INT_MAX / 16;  // PIL indexes with int; keep ksize * size in range too
  if (width > kMaxSide || height > kMaxSide || out_width > kMaxSide || out_height > kMaxSide) {
    return InvalidArgument("image side too large to resize");
  }
  const bool need_horizontal = out_width != width;
  const bool need_vertical = out_height != height;
  if (!need_horizontal && !need_vertical) {
    std::memcpy(dst, src, width * height * 3);
    return Status::Ok();
  }
  if (filter == ResampleFilter::kNearest) {
    Nearest(src, width, height, out_width, out_height, dst);
    return Status::Ok();
  }
  const Filter f = FilterFor(filter);
  const Taps vertical = Precompute(static_cast<int>(height), static_cast<int>(out_height), f);
  if (!need_horizontal) {
    Vertical(src, width, vertical, 0, out_height, dst);
    return Status::Ok();
  }
  const Taps horizontal = Precompute(static_cast<int>(width), static_cast<int>(out_width), f);
  // Only the rows the vertical pass reads are resampled horizontally, as PIL does.
  const int first_row = vertical.first[0];
  const int last_row = vertical.first[out_height - 1] + vertical.count[out_height - 1];
  const size_t rows = static_cast<size_t>(last_row - first_row);
  if (!need_vertical) {
    Horizontal(src, width, 0, height, horizontal, out_width, dst);
    return Status::Ok();
  }
  std::vector<uint8_t> temp(rows * out_width * 3);
  Horizontal(src, width, static_cast<size_t>(first_row), rows, horizontal, out_width, temp.data());
  Vertical(temp.data(), out_width, vertical, first_row, out_height, dst);
  return Status::Ok();
}

}  // namespace sk::image
