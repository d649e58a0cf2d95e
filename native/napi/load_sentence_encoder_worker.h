// loadSentenceEncoder(options): initialises ONNX Runtime on first use, reads tokenizer.json
// and creates the session off the main thread.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "napi/promise_worker.h"
#include "pipeline/sentence_encoder.h"

namespace sk::napi {

class LoadSentenceEncoderWorker : public PromiseWorker {
 public:
  LoadSentenceEncoderWorker(Napi::Env env, const Napi::Object& options);

 private:
  Status Run() override;
  Napi::Value Result(Napi::Env env) override;

  std::string ort_library_path_;
  pipeline::SentenceEncoderConfig config_;
  std::shared_ptr<pipeline::SentenceEncoder> encoder_;
};

}  // namespace sk::napi
