// A batch of decoded images preprocessed one after another on the calling thread into one
// preallocated float32 [n, 3, H, W] tensor. Each image succeeds or fails on its own: a bad one
// leaves its rows zero and its Status says why, the others are still written.
// Parallelism comes from the caller running several batches at once (lib/image-preprocess.ts
// keeps a few jobs in flight on the libuv pool), not from the core's ThreadPool: that pool runs
// one ParallelFor at a time, so image work there would queue behind, and hold up, the encoder's
// kernels that are meant to run beside it.
#pragma once

#include <vector>

#include "core/status.h"
#include "image/image_processor.h"

namespace sk::image {

// One Status per image, in order. `out` holds images.size() * 3 * out_height * out_width floats.
std::vector<Status> PreprocessBatch(const std::vector<ImageView>& images, const ImageProcessorConfig& config,
                                    size_t out_height, size_t out_width, float* out);

}  // namespace sk::image
