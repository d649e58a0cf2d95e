// The CUDA engine's masked-LM head + SPLADE pooling against an fp32 CPU reference: the reference
// encoder's token states through the head (transform dense → activation → LayerNorm, decoder,
// bias) in double, then max over tokens of log1p(relu(·)). SPLADE folders come from
// $SENTENCEKIT_CUDA_TEST_SPLADE_MODELS (':'-separated; bench/gpu/run.sh makes one), else the committed
// test/fixtures/int8-engine/tiny-splade. Needs a GPU (skipped without one).
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "fixtures.h"
#include "core/file_util.h"
#include "core/json.h"
#include "model/safetensors_file.h"
#include "reference_encoder.h"
#include "runtime/cuda_backend.h"

namespace {

std::string LibraryDir() {
  const char* dir = std::getenv("SENTENCEKIT_CUDA_LIBRARY_DIR");
  return dir != nullptr && *dir != '\0' ? dir : SENTENCEKIT_CUDA_LIBRARY_DIR;
}

struct MlmHead {
  std::vector<float> dense_w, dense_b, gamma, beta, decoder, bias;
  float eps = 1e-12f;
  bool tanh_gelu = false;
};

sk::Status ReadMlmHead(const std::string& dir, int hidden, int vocab, MlmHead* head) {
  std::string text;
  sk::JsonValue config;
  SK_RETURN_IF_ERROR(sk::ReadWholeFile(dir + "/config.json", &text));
  SK_RETURN_IF_ERROR(sk::JsonValue::Parse(text, &config));
  if (const auto* eps = config.Find("layer_norm_eps"); eps != nullptr && eps->is_number()) head->eps = static_cast<float>(eps->number());
  if (const auto* act = config.Find("hidden_act"); act != nullptr && act->is_string()) {
    head->tanh_gelu = act->string() == "gelu_new" || act->string() == "gelu_pytorch_tanh";
  }
  sk::model::SafetensorsFile file;
  SK_RETURN_IF_ERROR(file.Open(dir + "/model.safetensors"));
  const bool bert = file.Has("cls.predictions.transform.dense.weight");
  const std::string dense = bert ? "cls.predictions.transform.dense" : "lm_head.dense";
  const std::string norm = bert ? "cls.predictions.transform.LayerNorm" : "lm_head.layer_norm";
  const std::string decoder = bert ? "cls.predictions.decoder.weight" : "lm_head.decoder.weight";
  std::string bias = bert ? "cls.predictions.bias" : "lm_head.bias";
  if (!file.Has(bias)) bias = bert ? "cls.predictions.decoder.bias" : "lm_head.decoder.bias";
  const int64_t H = hidden, V = vocab;
  SK_RETURN_IF_ERROR(file.ReadFloat32(dense + ".weight", {H, H}, &head->dense_w));
  SK_RETURN_IF_ERROR(file.ReadFloat32(dense + ".bias", {H}, &head->dense_b));
  SK_RETURN_IF_ERROR(file.ReadFloat32(norm + ".weight", {H}, &head->gamma));
  SK_RETURN_IF_ERROR(file.ReadFloat32(norm + ".bias", {H}, &head->beta));
  if (file.Has(decoder)) {
    SK_RETURN_IF_ERROR(file.ReadFloat32(decoder, {V, H}, &head->decoder));
  } else {  // tied to the word embeddings
    for (const char* prefix : {"", "bert.", "roberta.", "model."}) {
      const std::string name = std::string(prefix) + "embeddings.word_embeddings.weight";
      if (file.Has(name)) SK_RETURN_IF_ERROR(file.ReadFloat32(name, {V, H}, &head->decoder));
    }
  }
  return file.ReadFloat32(bias, {V}, &head->bias);
}

double Gelu(double x, bool tanh_form) {
  if (tanh_form) return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
}

// max over tokens of log1p(relu(logits)), [vocab].
std::vector<double> ReferenceSplade(const std::vector<float>& states, int length, int hidden, int vocab, const MlmHead& head) {
  std::vector<double> best(vocab, 0.0), y(hidden);
  for (int t = 0; t < length; ++t) {
    const float* x = states.data() + static_cast<size_t>(t) * hidden;
    for (int j = 0; j < hidden; ++j) {
      double sum = head.dense_b[j];
      for (int i = 0; i < hidden; ++i) sum += static_cast<double>(head.dense_w[j * hidden + i]) * x[i];
      y[j] = Gelu(sum, head.tanh_gelu);
    }
    double mean = 0, var = 0;
    for (double v : y) mean += v;
    mean /= hidden;
    for (double v : y) var += (v - mean) * (v - mean);
    var /= hidden;
    for (int j = 0; j < hidden; ++j) y[j] = (y[j] - mean) / std::sqrt(var + head.eps) * head.gamma[j] + head.beta[j];
    for (int v = 0; v < vocab; ++v) {
      double logit = head.bias[v];
      const float* w = head.decoder.data() + static_cast<size_t>(v) * hidden;
      for (int i = 0; i < hidden; ++i) logit += w[i] * y[i];
      best[v] = std::max(best[v], logit);
    }
  }
  for (double& v : best) v = std::log1p(v);
  return best;
}

void CheckSplade(const std::string& dir) {
  std::cout << "  " << dir << "\n";
  sktest::ReferenceEncoder reference;
  const sk::Status loaded = reference.Load(dir);
  CHECK(loaded.ok()) << loaded.message();
  if (!loaded.ok()) return;
  const int hidden = reference.hidden(), vocab = reference.vocab();
  MlmHead head;
  const sk::Status read = ReadMlmHead(dir, hidden, vocab, &head);
  CHECK(read.ok()) << read.message();
  if (!read.ok()) return;
  std::vector<int32_t> ids, cu{0};
  std::vector<std::vector<int32_t>> sequences;
  unsigned state = 11;
  for (int length : {1, 5, 40, 90}) {
    length = std::min(length, reference.max_sequence());
    std::vector<int32_t> sequence(length);
    for (int32_t& id : sequence) {
      state = state * 1664525u + 1013904223u;
      id = static_cast<int32_t>(5 + (state >> 8) % static_cast<unsigned>(vocab - 5));
    }
    ids.insert(ids.end(), sequence.begin(), sequence.end());
    cu.push_back(static_cast<int32_t>(ids.size()));
    sequences.push_back(std::move(sequence));
  }
  std::vector<double> want;
  for (const auto& sequence : sequences) {
    const std::vector<double> row =
        ReferenceSplade(reference.Forward(sequence), static_cast<int>(sequence.size()), hidden, vocab, head);
    want.insert(want.end(), row.begin(), row.end());
  }
  for (SkCudaDtype dtype : {SK_CUDA_DTYPE_FLOAT32, SK_CUDA_DTYPE_FLOAT16}) {
    sk::runtime::CudaEncoderOptions options;
    options.library_dir = LibraryDir();
    options.model_dir = dir;
    options.dtype = dtype;
    std::unique_ptr<sk::runtime::CudaEncoder> engine;
    const sk::Status status = sk::runtime::CudaEncoder::Load(options, &engine);
    CHECK(status.ok()) << status.message();
    if (!status.ok()) return;
    CHECK(engine->info().has_mlm_head == 1);
    CHECK(engine->info().vocab_size == vocab);
    std::vector<float> got(sequences.size() * vocab, NAN);
    const sk::Status ran = engine->EncodeSplade(ids, {}, cu, false, got.data());
    CHECK(ran.ok()) << ran.message();
    double worst = 0;
    size_t active = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      worst = sktest::MaxOrNan(worst, std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i])));
      active += want[i] > 0;
    }
    const double bar = dtype == SK_CUDA_DTYPE_FLOAT32 ? 1e-4 : 3e-2;
    std::cout << "    " << (dtype == SK_CUDA_DTYPE_FLOAT32 ? "fp32" : "fp16") << " SPLADE: max relative |diff| " << worst
              << " over " << want.size() << " weights (" << active << " active; bar " << bar << ")\n";
    CHECK(worst <= bar) << "max relative |diff| " << worst;
    CHECK(active > 0) << "the reference has no active weight: the check says nothing";
  }
}

}  // namespace

TEST(cuda_splade_matches_cpu_reference) {
  // bench/gpu/run.sh passes its own folders; otherwise the committed safetensors fixture, so the
  // check runs wherever a GPU does.
  const char* given = std::getenv("SENTENCEKIT_CUDA_TEST_SPLADE_MODELS");
  const std::string models = given != nullptr && *given != '\0' ? given : sktest::FixturePath("int8-engine/tiny-splade");
  std::stringstream stream(models);
  std::string dir;
  while (std::getline(stream, dir, ':')) {
    if (!dir.empty()) CheckSplade(dir);
  }
}
