// Owning device and pinned-host allocations, freed on destruction.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "core/status.h"

namespace sk::cuda {

inline Status CudaStatus(cudaError_t error, const std::string& what) {
  if (error == cudaSuccess) return Status::Ok();
  return RuntimeError(what + ": " + cudaGetErrorName(error) + " (" + cudaGetErrorString(error) + ")");
}

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { Free(); }

  // Grows to at least `bytes` (contents are not kept).
  Status Reserve(size_t bytes, const char* what) {
    if (bytes <= bytes_) return Status::Ok();
    Free();
    SK_RETURN_IF_ERROR(CudaStatus(cudaMalloc(&data_, bytes), std::string("allocating ") + what + " (" +
                                                                 std::to_string(bytes) + " bytes)"));
    bytes_ = bytes;
    return Status::Ok();
  }
  template <typename T>
  T* as() const { return static_cast<T*>(data_); }
  size_t bytes() const { return bytes_; }

 private:
  void Free() {
    if (data_ != nullptr) cudaFree(data_);
    data_ = nullptr;
    bytes_ = 0;
  }
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { Free(); }

  Status Reserve(size_t bytes, const char* what) {
    if (bytes <= bytes_) return Status::Ok();
    Free();
    SK_RETURN_IF_ERROR(CudaStatus(cudaMallocHost(&data_, bytes), std::string("allocating pinned ") + what));
    bytes_ = bytes;
    return Status::Ok();
  }
  template <typename T>
  T* as() const { return static_cast<T*>(data_); }

 private:
  void Free() {
    if (data_ != nullptr) cudaFreeHost(data_);
    data_ = nullptr;
    bytes_ = 0;
  }
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace sk::cuda
