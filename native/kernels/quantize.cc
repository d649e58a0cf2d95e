// Quantization is one pass of elementwise float32 arithmetic, memory-bound: the plain loops
// below are auto-vectorized, and every step keeps NumPy's float32 rounding (true division,
// no reciprocal), so the buckets equal Python's bit for bit.
#include "kernels/quantize.h"

#include <cmath>
#include <vector>

namespace sk::kernels {
namespace {

Status CheckSizes(const void* in, size_t rows, size_t dim, const void* out) {
  if (dim == 0) return InvalidArgument("expected an embedding dimension >= 1 but received 0");
  if (rows > 0 && (in == nullptr || out == nullptr)) return InvalidArgument("embeddings or output missing");
  return Status::Ok();
}

// The bucket of x in [0, 255]; NaN anywhere gives bucket 0 (NumPy's cast of NaN is
// undefined; we pick the lowest bucket rather than whatever the hardware gives).
inline float Bucket(float x, float start, float step) {
  const float q = std::floor((x - start) / step);
  if (!(q >= 0.0f)) return 0.0f;  // also NaN
  return q > 255.0f ? 255.0f : q;
}

template <typename Out>
Status Quantize(const float* embeddings, size_t rows, size_t dim, const float* ranges, float offset, Out* out) {
  SK_RETURN_IF_ERROR(CheckSizes(embeddings, rows, dim, out));
  if (ranges == nullptr) return InvalidArgument("ranges missing");
  std::vector<float> steps(dim);
  for (size_t d = 0; d < dim; ++d) {
    // float32 (max - min) / 255, as NumPy computes it for float32 ranges.
    const float step = (ranges[dim + d] - ranges[d]) / 255.0f;
    steps[d] = step == 0.0f ? 1.0f : step;
  }
  for (size_t r = 0; r < rows; ++r) {
    const float* row = embeddings + r * dim;
    Out* dst = out + r * dim;
    for (size_t d = 0; d < dim; ++d) dst[d] = static_cast<Out>(Bucket(row[d], ranges[d], steps[d]) - offset);
  }
  return Status::Ok();
}

Status PackBits(const float* embeddings, size_t rows, size_t dim, uint8_t flip, uint8_t* out) {
  SK_RETURN_IF_ERROR(CheckSizes(embeddings, rows, dim, out));
  const size_t bytes = PackedBitBytes(dim);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = embeddings + r * dim;
    for (size_t b = 0; b < bytes; ++b) {
      unsigned byte = 0;
      for (size_t bit = 0; bit < 8; ++bit) {
        const size_t d = b * 8 + bit;
        // NaN > 0 is false, as in NumPy.
        if (d < dim && row[d] > 0.0f) byte |= 0x80u >> bit;
      }
      // packed - 128 as int8 is the same byte pattern as packed ^ 0x80.
      out[r * bytes + b] = static_cast<uint8_t>(byte ^ flip);
    }
  }
  return Status::Ok();
}

}  // namespace

Status ComputeQuantizationRanges(const float* calibration, size_t rows, size_t dim, float* ranges) {
  SK_RETURN_IF_ERROR(CheckSizes(calibration, rows, dim, ranges));
  if (rows == 0) return InvalidArgument("expected at least one calibration embedding but received 0");
  for (size_t d = 0; d < dim; ++d) {
    ranges[d] = calibration[d];
    ranges[dim + d] = calibration[d];
  }
  for (size_t r = 1; r < rows; ++r) {
    const float* row = calibration + r * dim;
    for (size_t d = 0; d < dim; ++d) {
      // np.min / np.max propagate NaN.
      if (std::isnan(row[d]) || std::isnan(ranges[d])) {
        ranges[d] = ranges[dim + d] = std::nanf("");
        continue;
      }
      if (row[d] < ranges[d]) ranges[d] = row[d];
      if (row[d] > ranges[dim + d]) ranges[dim + d] = row[d];
    }
  }
  return Status::Ok();
}

Status QuantizeUint8(const float* embeddings, size_t rows, size_t dim, const float* ranges, uint8_t* out) {
  return Quantize(embeddings, rows, dim, ranges, 0.0f, out);
}

Status QuantizeInt8(const float* embeddings, size_t rows, size_t dim, const float* ranges, int8_t* out) {
  return Quantize(embeddings, rows, dim, ranges, 128.0f, out);
}

size_t PackedBitBytes(size_t dim) { return (dim + 7) / 8; }

Status QuantizeUbinary(const float* embeddings, size_t rows, size_t dim, uint8_t* out) {
  return PackBits(embeddings, rows, dim, 0x00, out);
}

Status QuantizeBinary(const float* embeddings, size_t rows, size_t dim, int8_t* out) {
  return PackBits(embeddings, rows, dim, 0x80, reinterpret_cast<uint8_t*>(out));
}

}  // namespace sk::kernels
