// The one place that includes the ONNX Runtime C API header. We use the C API only, so no
// C++ helper runs static initialisation against a library that is not loaded yet.
#pragma once

#ifndef ORT_API_MANUAL_INIT
#define ORT_API_MANUAL_INIT
#endif
#include <onnxruntime_c_api.h>

namespace sk::ort {
// The API version our headers describe; the loaded library must offer it.
inline constexpr uint32_t kOrtApiVersion = 29;
static_assert(ORT_API_VERSION == kOrtApiVersion, "ONNX Runtime headers are not API 29");
}  // namespace sk::ort
