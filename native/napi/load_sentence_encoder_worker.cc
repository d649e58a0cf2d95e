#include "napi/load_sentence_encoder_worker.h"

#include "napi/js_values.h"
#include "napi/ort_library.h"
#include "napi/sentence_encoder_wrap.h"
#include "runtime/ort_runtime.h"

namespace sk::napi {

// options: { modelPath, tokenizerPath, maxSeqLength, pooling: string[], intraOpThreads?,
//            allowSpinning? } — validated by lib/sentence-transformer.ts.
LoadSentenceEncoderWorker::LoadSentenceEncoderWorker(Napi::Env env, const Napi::Object& options)
    : PromiseWorker(env, "sentencekit:loadSentenceEncoder"), ort_library_path_(OrtLibraryPath(env)) {
  config_.model_path = GetString(options, "modelPath");
  config_.tokenizer_path = GetString(options, "tokenizerPath");
  config_.max_seq_length = static_cast<size_t>(GetNumber(options, "maxSeqLength", 512));
  config_.session.intra_op_threads = static_cast<int>(GetNumber(options, "intraOpThreads", 0));
  config_.session.allow_spinning = GetBool(options, "allowSpinning", true);
  config_.pooling.modes.clear();
  for (const std::string& name : GetStringArray(options, "pooling")) {
    pipeline::PoolingMode mode;
    Status status = pipeline::ParsePoolingMode(name, &mode);
    if (!status.ok()) ThrowTypeError(env, status.message());
    config_.pooling.modes.push_back(mode);
  }
}

Status LoadSentenceEncoderWorker::Run() {
  SK_RETURN_IF_ERROR(ort::OrtRuntime::Initialize(ort_library_path_));
  std::unique_ptr<pipeline::SentenceEncoder> encoder;
  SK_RETURN_IF_ERROR(pipeline::SentenceEncoder::Load(config_, &encoder));
  encoder_ = std::move(encoder);
  return Status::Ok();
}

Napi::Value LoadSentenceEncoderWorker::Result(Napi::Env env) {
  return SentenceEncoderWrap::NewInstance(env, std::move(encoder_));
}

}  // namespace sk::napi
