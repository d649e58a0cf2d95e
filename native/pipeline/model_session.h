// What every model class loads: a tokenizer and an ONNX session, with the lock that serialises
// runs on that session and the batch memory those runs reuse.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "pipeline/padded_batch.h"
#include "runtime/io_cache.h"
#include "runtime/ort_session.h"
#include "tokenizer/tokenizer.h"

namespace sk::pipeline {

// transformers' padding_side or truncation_side: tokenizer_config.json's setting, else
// (kTokenizer) the direction tokenizer.json's padding / truncation section gives.
enum class TokenizerSide { kTokenizer, kLeft, kRight };

struct ModelFiles {
  std::string model_path;       // the .onnx file
  std::string tokenizer_path;   // tokenizer.json; named in errors when tokenizer_json is given
  // A tokenizer.json document to load instead of reading tokenizer_path (one converted from a
  // folder's older vocabulary files).
  std::string tokenizer_json;
  size_t max_length = 512;      // truncation length in tokens, special tokens included
  bool lowercase = false;       // sentence_bert_config.json's do_lower_case
  TokenizerSide padding_side = TokenizerSide::kTokenizer;
  TokenizerSide truncation_side = TokenizerSide::kTokenizer;
  // tokenizer_config.json's pad_token, which transformers pads with; empty: the tokenizer's own.
  std::string pad_token;
  ort::SessionOptions session;

  // The truncation length of one call: `requested` (the model's max_seq_length set after
  // loading), else the one the model loaded with.
  size_t MaxLength(size_t requested) const { return requested > 0 ? requested : max_length; }
};

struct ModelSession {
  std::unique_ptr<tok::Tokenizer> tokenizer;
  std::unique_ptr<ort::OrtSession> session;
  // How transformers pads batches for this tokenizer: which id, on which side.
  int64_t pad_id = 0;
  bool pads_left = false;
  // Which end of a text (or of each text of a pair) truncation drops.
  tok::TruncationSide truncation_side = tok::TruncationSide::kRight;
  // One run at a time per model: concurrent runs would fight over the same intra-op cores.
  mutable std::mutex run_mutex;
  // Guarded by run_mutex: the padded input buffers and the ORT tensors over them, reused by
  // every run so the steady state allocates none (see ort::IoCache).
  mutable PaddedBatch batch;
  mutable ort::IoCache io;

  // A snapshot of io.counters, taken under the run lock.
  ort::IoCounters Counters() const;

  Status Load(const ModelFiles& files);
  // The tokenizer alone (the CPU and CUDA engines read the weights themselves).
  Status LoadTokenizer(const ModelFiles& files);
  // Pads encodings[rows[0..count)] into `target` as this model's session takes them.
  void Fill(const std::vector<tok::Encoding>& encodings, const size_t* rows, size_t count, PaddedBatch* target,
            ort::IoCounters* counters = nullptr) const;
  // Runs [CLS] [SEP] once and returns the output's last dimension, for models whose export
  // leaves it symbolic.
  Status ProbeLastDimension(size_t max_length, int64_t* out) const;
  // The output's last dimension from the model's metadata, else from a probe run.
  Status LastDimension(size_t max_length, size_t* out) const;
};

}  // namespace sk::pipeline
