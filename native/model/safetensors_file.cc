#include "model/safetensors_file.h"

#include <algorithm>
#include <cstring>

#include "core/file_util.h"
#include "core/json.h"

namespace sk::model {
namespace {

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace

Status SafetensorsFile::Open(const std::string& path) {
  std::string bytes;
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &bytes));
  return Parse(std::move(bytes), path);
}

Status SafetensorsFile::Parse(std::string bytes, const std::string& path) {
  path_ = path;
  bytes_ = std::move(bytes);
  entries_.clear();
  if (bytes_.size() < 8) return ModelLoadError(path + ": too short for a safetensors file");
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes_.data(), 8);  // little-endian, as is every machine we build for
  if (header_size > bytes_.size() - 8) return ModelLoadError(path + ": safetensors header runs past the end");
  data_offset_ = 8 + header_size;
  return ParseHeader(std::string_view(bytes_.data() + 8, header_size));
}

Status SafetensorsFile::OpenWithTable(const std::string& path, std::string_view table) {
  path_ = path;
  entries_.clear();
  SK_RETURN_IF_ERROR(ReadWholeFile(path, &bytes_));
  data_offset_ = 0;
  return ParseHeader(table);
}

Status SafetensorsFile::ParseHeader(std::string_view text) {
  const std::string& path = path_;
  JsonValue header;
  const Status parsed = JsonValue::Parse(text, &header);
  if (!parsed.ok()) return ModelLoadError(path + ": safetensors header: " + parsed.message());
  if (!header.is_object()) return ModelLoadError(path + ": safetensors header is not an object");
  const size_t data_size = bytes_.size() - data_offset_;
  for (const auto& [name, value] : header.members()) {
    if (name == "__metadata__") continue;
    const JsonValue* dtype = value.Find("dtype");
    const JsonValue* shape = value.Find("shape");
    const JsonValue* offsets = value.Find("data_offsets");
    if (dtype == nullptr || !dtype->is_string() || shape == nullptr || !shape->is_array() || offsets == nullptr ||
        !offsets->is_array() || offsets->array().size() != 2) {
      return ModelLoadError(path + ": tensor '" + name + "' has an invalid header entry");
    }
    SafetensorsEntry entry;
    entry.dtype = dtype->string();
    for (const JsonValue& dim : shape->array()) {
      if (!dim.is_integer() || dim.integer() < 0) return ModelLoadError(path + ": tensor '" + name + "' has a bad shape");
      entry.shape.push_back(dim.integer());
    }
    if (!offsets->array()[0].is_integer() || !offsets->array()[1].is_integer()) {
      return ModelLoadError(path + ": tensor '" + name + "' has bad offsets");
    }
    entry.begin = static_cast<size_t>(offsets->array()[0].integer());
    entry.end = static_cast<size_t>(offsets->array()[1].integer());
    if (entry.begin > entry.end || entry.end > data_size) {
      return ModelLoadError(path + ": tensor '" + name + "' lies outside the file");
    }
    entries_[name] = std::move(entry);
  }
  return Status::Ok();
}

Status SafetensorsFile::ReadFloat32(const std::string& name, const std::vector<int64_t>& shape,
                                    std::vector<float>* out) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return ModelLoadError(path_ + ": no tensor '" + name + "'");
  const SafetensorsEntry& entry = it->second;
  if (entry.shape != shape) {
    return ModelLoadError(path_ + ": tensor '" + name + "' has shape " + ShapeText(entry.shape) + ", expected " +
                          ShapeText(shape));
  }
  const size_t width = entry.dtype == "F32" ? 4 : (entry.dtype == "F16" || entry.dtype == "BF16") ? 2 : 0;
  if (width == 0) return ModelLoadError(path_ + ": tensor '" + name + "' has unsupported dtype " + entry.dtype);
  // The byte size the shape implies, refused when the product overflows: a wrapped product
  // could match a small entry and size the output from the wrapped count.
  const bool empty = std::find(shape.begin(), shape.end(), 0) != shape.end();
  size_t count = 1, bytes = 0;
  bool overflow = false;
  for (int64_t dim : shape) overflow = overflow || __builtin_mul_overflow(count, static_cast<size_t>(dim), &count);
  overflow = overflow || __builtin_mul_overflow(count, width, &bytes);
  if (empty) count = bytes = 0;
  if (overflow && !empty) return ModelLoadError(path_ + ": tensor '" + name + "' has a shape too large for any file");
  if (entry.end - entry.begin != bytes) return ModelLoadError(path_ + ": tensor '" + name + "' has the wrong byte size");
  const char* data = bytes_.data() + data_offset_ + entry.begin;
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    if (width == 4) {
      std::memcpy(&(*out)[i], data + 4 * i, 4);
    } else {
      uint16_t half;
      std::memcpy(&half, data + 2 * i, 2);
      if (entry.dtype == "F16") {
        (*out)[i] = HalfToFloat(half);
      } else {
        const uint32_t bits = static_cast<uint32_t>(half) << 16;
        std::memcpy(&(*out)[i], &bits, 4);
      }
    }
  }
  return Status::Ok();
}

}  // namespace sk::model
