// The CUDA engine's sequence-classification head (cross-encoders) against the fp32 CPU
// reference: the reference encoder's first-token state through the head's weights read here
// from model.safetensors, in double. Cross-encoder folders come from
// $SENTENCEKIT_CUDA_TEST_CE_MODELS (':'-separated; bench/gpu/run.sh makes a BERT and a RoBERTa one);
// with none given the committed test/fixtures/int8-engine/tiny-ce-3label. Needs a GPU (skipped
// without one).
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "fixtures.h"
#include "model/safetensors_file.h"
#include "reference_encoder.h"
#include "runtime/cuda_backend.h"

namespace {

std::string LibraryDir() {
  const char* dir = std::getenv("SENTENCEKIT_CUDA_LIBRARY_DIR");
  return dir != nullptr && *dir != '\0' ? dir : SENTENCEKIT_CUDA_LIBRARY_DIR;
}

std::string SourceDir() {
  const char* source = std::getenv("SENTENCEKIT_SOURCE_DIR");
  return source != nullptr ? source : SENTENCEKIT_SOURCE_DIR;
}

struct Head {
  std::vector<float> dense_w, dense_b, out_w, out_b;
  int labels = 0;
};

sk::Status ReadHead(const std::string& dir, int hidden, Head* head) {
  sk::model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(file.Open(dir + "/model.safetensors"));
  std::string dense, out;
  for (const char* prefix : {"bert.", ""}) {
    if (file.Has(std::string(prefix) + "pooler.dense.weight") && file.Has("classifier.weight")) {
      dense = std::string(prefix) + "pooler.dense";
      out = "classifier";
      break;
    }
  }
  if (dense.empty()) {
    dense = "classifier.dense";
    out = "classifier.out_proj";
  }
  const sk::model::SafetensorsEntry* entry = file.Find(out + ".weight");
  if (entry == nullptr || entry->shape.size() != 2) return sk::InvalidArgument(dir + ": no classification head");
  head->labels = static_cast<int>(entry->shape[0]);
  const int64_t H = hidden, L = head->labels;
  SK_RETURN_IF_ERROR(file.ReadFloat32(dense + ".weight", {H, H}, &head->dense_w));
  SK_RETURN_IF_ERROR(file.ReadFloat32(dense + ".bias", {H}, &head->dense_b));
  SK_RETURN_IF_ERROR(file.ReadFloat32(out + ".weight", {L, H}, &head->out_w));
  return file.ReadFloat32(out + ".bias", {L}, &head->out_b);
}

std::vector<double> ReferenceLogits(const std::vector<float>& states, int hidden, const Head& head) {
  std::vector<double> pooled(hidden), logits(head.labels);
  for (int j = 0; j < hidden; ++j) {
    double sum = head.dense_b[j];
    for (int i = 0; i < hidden; ++i) sum += static_cast<double>(head.dense_w[j * hidden + i]) * states[i];
    pooled[j] = std::tanh(sum);
  }
  for (int l = 0; l < head.labels; ++l) {
    double sum = head.out_b[l];
    for (int i = 0; i < hidden; ++i) sum += head.out_w[l * hidden + i] * pooled[i];
    logits[l] = sum;
  }
  return logits;
}

std::unique_ptr<sk::runtime::CudaEncoder> LoadEngine(const std::string& dir, SkCudaDtype dtype) {
  sk::runtime::CudaEncoderOptions options;
  options.library_dir = LibraryDir();
  options.model_dir = dir;
  options.dtype = dtype;
  std::unique_ptr<sk::runtime::CudaEncoder> engine;
  const sk::Status status = sk::runtime::CudaEncoder::Load(options, &engine);
  CHECK(status.ok()) << dir << ": " << status.message();
  return engine;
}

void CheckCrossEncoder(const std::string& dir) {
  std::cout << "  " << dir << "\n";
  sktest::ReferenceEncoder reference;
  const sk::Status loaded = reference.Load(dir);
  CHECK(loaded.ok()) << loaded.message();
  if (!loaded.ok()) return;
  const int hidden = reference.hidden();
  Head head;
  const sk::Status read = ReadHead(dir, hidden, &head);
  CHECK(read.ok()) << read.message();
  if (!read.ok()) return;
  // Sequences of several lengths, packed in one batch (first token 101/0 like [CLS]/<s>).
  std::vector<int32_t> ids, cu{0};
  std::vector<std::vector<int32_t>> sequences;
  unsigned state = 7;
  for (int length : {1, 3, 17, 64, 100}) {
    length = std::min(length, reference.max_sequence());
    std::vector<int32_t> sequence(length);
    for (int32_t& id : sequence) {
      state = state * 1664525u + 1013904223u;
      id = static_cast<int32_t>(5 + (state >> 8) % static_cast<unsigned>(reference.vocab() - 5));
    }
    ids.insert(ids.end(), sequence.begin(), sequence.end());
    cu.push_back(static_cast<int32_t>(ids.size()));
    sequences.push_back(std::move(sequence));
  }
  std::vector<double> want;
  for (const auto& sequence : sequences) {
    const std::vector<double> logits = ReferenceLogits(reference.Forward(sequence), hidden, head);
    want.insert(want.end(), logits.begin(), logits.end());
  }
  for (SkCudaDtype dtype : {SK_CUDA_DTYPE_FLOAT32, SK_CUDA_DTYPE_FLOAT16}) {
    auto engine = LoadEngine(dir, dtype);
    if (engine == nullptr) return;
    CHECK(engine->info().num_labels == head.labels) << "engine says " << engine->info().num_labels << " labels";
    std::vector<float> got(sequences.size() * head.labels, NAN);
    const sk::Status status = engine->EncodeLogits(ids, {}, cu, got.data());
    CHECK(status.ok()) << status.message();
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i])));
    const double bar = dtype == SK_CUDA_DTYPE_FLOAT32 ? 1e-4 : 2e-2;
    std::cout << "    " << (dtype == SK_CUDA_DTYPE_FLOAT32 ? "fp32" : "fp16") << " logits: max relative |diff| " << worst
              << " (bar " << bar << ")\n";
    CHECK(worst <= bar) << "max relative |diff| " << worst;
  }
}

}  // namespace

TEST(cuda_classification_head_matches_cpu_reference) {
  // bench/gpu/run.sh passes its own folders; otherwise the committed safetensors fixture, so the
  // check runs wherever a GPU does.
  const char* given = std::getenv("SENTENCEKIT_CUDA_TEST_CE_MODELS");
  const std::string models = given != nullptr && *given != '\0' ? given : sktest::FixturePath("int8-engine/tiny-ce-3label");
  std::stringstream stream(models);
  std::string dir;
  while (std::getline(stream, dir, ':')) {
    if (!dir.empty()) CheckCrossEncoder(dir);
  }
}

TEST(cuda_logits_without_a_head_is_an_error) {
  // tiny-bert is a bi-encoder: its safetensors have no classifier.
  auto engine = LoadEngine(SourceDir() + "/test/fixtures/tiny-bert", SK_CUDA_DTYPE_FLOAT32);
  if (engine == nullptr) return;
  CHECK(engine->info().num_labels == 0) << engine->info().num_labels;
  std::vector<float> out(4);
  CHECK(!engine->EncodeLogits({101, 102}, {}, {0, 2}, out.data()).ok());
}
