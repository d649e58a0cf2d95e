// Fuzz target for our part of loading an ONNX model (runtime/ort_session.cc): the bytes are
// ONNX Runtime's to parse, but what we do with the graph it accepts is ours — the input names
// we feed, the output we choose, its declared dimensions (from which the IO cache sizes a
// preallocated output buffer), and a first run through that cache. A model ORT refuses must
// come back as ERR_MODEL_LOAD. ONNX Runtime itself is not instrumented (it is dlopen'ed from
// SENTENCEKIT_ORT_LIBRARY, default deps/onnxruntime/lib/libonnxruntime.so.1), so its
// coverage does not guide mutation; crashes inside it are reported as such.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "runtime/io_cache.h"
#include "runtime/ort_runtime.h"
#include "runtime/ort_session.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const char* library = std::getenv("SENTENCEKIT_ORT_LIBRARY");
  if (!sk::ort::OrtRuntime::Initialize(library != nullptr ? library : "deps/onnxruntime/lib/libonnxruntime.so.1").ok()) {
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = skfuzz::ScratchDir() + "/model.onnx";
  skfuzz::WriteFile(path, std::string_view(reinterpret_cast<const char*>(data), size));
  sk::ort::SessionOptions options;
  options.intra_op_threads = 1;
  options.allow_spinning = false;
  std::unique_ptr<sk::ort::OrtSession> session;
  const sk::Status status = sk::ort::OrtSession::Load(path, options, &session);
  if (!status.ok()) {
    if (status.code() != sk::StatusCode::kModelLoad) std::abort();
    return 0;
  }
  // One [2, 3] batch, through the IO cache (our preallocated output) and without it.
  const std::vector<int64_t> ids = {1, 2, 3, 1, 0, 0}, mask = {1, 1, 1, 1, 0, 0}, types = {0, 0, 0, 0, 0, 0},
                             positions = {0, 1, 2, 0, 1, 2};
  sk::ort::BatchInputs inputs;
  inputs.ids = ids.data();
  inputs.mask = mask.data();
  inputs.type_ids = types.data();
  inputs.position_ids = positions.data();
  sk::ort::IoCache cache;
  cache.set_api(sk::ort::OrtRuntime::Get()->api());
  for (sk::ort::IoCache* with : {&cache, static_cast<sk::ort::IoCache*>(nullptr)}) {
    sk::ort::TensorOutput output;
    if (!session->Run(inputs, 2, 3, &output, with).ok()) continue;
    size_t elements = 1;
    for (int64_t dim : output.shape()) elements *= static_cast<size_t>(dim);
    volatile float sum = 0;
    for (size_t i = 0; i < elements; ++i) sum = sum + output.data()[i];  // every value we would read
  }
  return 0;
}
