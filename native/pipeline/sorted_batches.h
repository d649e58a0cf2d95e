// Runs tokenized inputs through an ONNX session in padded batches of similar length: inputs
// are sorted longest first (as sentence-transformers does), so a batch pads only to its own
// longest member, and each batch's output is handed to the caller with the original row
// indices, so results land in the caller's order.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "pipeline/batch_cut.h"
#include "pipeline/model_session.h"
#include "pipeline/padded_batch.h"
#include "runtime/ort_session.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

struct BatchResult {
  const PaddedBatch& inputs;
  const ort::TensorOutput& output;
  const size_t* rows;  // original index of each batch row
  size_t count;
};

// Each batch is filled, run and consumed under the model's run lock: the inputs and the output
// live in the model's reused buffers (intra-op threads already use the cores, so holding the
// lock while pooling costs nothing), and `consume` must not keep pointers into them.
Status RunSortedBatches(const ModelSession& model, const std::vector<tok::Encoding>& encodings,
                        BatchLimits limits, const std::function<Status(const BatchResult&)>& consume);

}  // namespace sk::pipeline
