// A small result type for the native core. The core never throws across its public
// boundary and never talks to JavaScript: it returns a Status, and only native/napi
// turns a failed Status into a JavaScript error with a stable `code`.
#pragma once

#include <string>
#include <utility>

namespace sk {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // ERR_INVALID_ARGUMENT: caller passed something the core cannot use
  kModelLoad,         // ERR_MODEL_LOAD: a model file is missing, corrupt or unsupported
  kTokenizer,         // ERR_TOKENIZER: tokenizer.json is invalid or uses an unsupported component
  kRuntime,           // ERR_RUNTIME: ONNX Runtime (or another engine) failed while running
  kCudaUnavailable,   // ERR_CUDA_UNAVAILABLE
  kDisposed,          // ERR_DISPOSED: the model was disposed
  kInternal,          // ERR_INTERNAL: a bug on our side
};

// The stable code string JavaScript sees on the error object.
inline const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "ERR_INVALID_ARGUMENT";
    case StatusCode::kModelLoad: return "ERR_MODEL_LOAD";
    case StatusCode::kTokenizer: return "ERR_TOKENIZER";
    case StatusCode::kRuntime: return "ERR_RUNTIME";
    case StatusCode::kCudaUnavailable: return "ERR_CUDA_UNAVAILABLE";
    case StatusCode::kDisposed: return "ERR_DISPOSED";
    case StatusCode::kInternal: return "ERR_INTERNAL";
  }
  return "ERR_INTERNAL";
}

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status ModelLoadError(std::string message) {
  return Status(StatusCode::kModelLoad, std::move(message));
}
inline Status TokenizerError(std::string message) {
  return Status(StatusCode::kTokenizer, std::move(message));
}
inline Status RuntimeError(std::string message) {
  return Status(StatusCode::kRuntime, std::move(message));
}
inline Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

}  // namespace sk

// Propagates a failed Status to the caller.
#define SK_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::sk::Status sk_status_ = (expr);        \
    if (!sk_status_.ok()) return sk_status_; \
  } while (0)
