// The CUDA engine against the fp32 CPU reference (reference_encoder.cc) on tiny models:
// token outputs, every pooling mode, fp16/bf16, packing invariance and bad input. Without a
// usable GPU those are skipped (the output says why) and only the reference's own check against
// sentence-transformers runs.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "core/file_util.h"
#include "core/json.h"
#include "reference_encoder.h"
#include "runtime/cuda_backend.h"

namespace {

std::string LibraryDir() {
  const char* dir = std::getenv("SENTENCEKIT_CUDA_LIBRARY_DIR");
  return dir != nullptr && *dir != '\0' ? dir : SENTENCEKIT_CUDA_LIBRARY_DIR;
}

// test/fixtures/tiny-bert, then every folder in $SENTENCEKIT_CUDA_TEST_MODELS (':'-separated;
// bench/gpu/run.sh adds a tiny RoBERTa and MiniLM-shaped models it generates).
std::vector<std::string> ModelDirs() {
  const char* source = std::getenv("SENTENCEKIT_SOURCE_DIR");  // for binaries built elsewhere
  std::vector<std::string> dirs = {std::string(source != nullptr ? source : SENTENCEKIT_SOURCE_DIR) +
                                   "/test/fixtures/tiny-bert"};
  const char* extra = std::getenv("SENTENCEKIT_CUDA_TEST_MODELS");
  if (extra != nullptr) {
    std::stringstream stream(extra);
    std::string dir;
    while (std::getline(stream, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  return dirs;
}

struct Batch {
  std::vector<int32_t> ids, cu{0};
  std::vector<std::vector<int32_t>> sequences;
};

// Lengths around the attention kernel's 64-query and 32-key tiles, from 1 token up.
Batch MakeBatch(int vocab, int max_len, unsigned seed) {
  Batch batch;
  unsigned state = seed;
  for (int length : {1, 2, 7, 31, 32, 33, 64, 65, 100, 129, 200}) {
    length = std::min(length, max_len);
    std::vector<int32_t> sequence(length);
    for (int32_t& id : sequence) {
      state = state * 1664525u + 1013904223u;
      id = static_cast<int32_t>(100 + (state >> 8) % static_cast<unsigned>(vocab - 100));
    }
    batch.ids.insert(batch.ids.end(), sequence.begin(), sequence.end());
    batch.cu.push_back(static_cast<int32_t>(batch.ids.size()));
    batch.sequences.push_back(std::move(sequence));
  }
  return batch;
}

std::vector<float> ReferencePool(const std::vector<float>& tokens, int length, int hidden, SkCudaPooling mode) {
  std::vector<float> out(hidden, 0.0f);
  for (int i = 0; i < hidden; ++i) {
    double sum = 0, weights = 0, max_value = -1e30;
    for (int t = 0; t < length; ++t) {
      const double v = tokens[t * hidden + i];
      sum += v;
      max_value = std::max(max_value, v);
      weights += t + 1;
    }
    double weighted = 0;
    for (int t = 0; t < length; ++t) weighted += (t + 1) * static_cast<double>(tokens[t * hidden + i]);
    switch (mode) {
      case SK_CUDA_POOL_MEAN: out[i] = static_cast<float>(sum / length); break;
      case SK_CUDA_POOL_CLS: out[i] = tokens[i]; break;
      case SK_CUDA_POOL_MAX: out[i] = static_cast<float>(max_value); break;
      case SK_CUDA_POOL_MEAN_SQRT_LEN: out[i] = static_cast<float>(sum / std::sqrt(length)); break;
      case SK_CUDA_POOL_LAST_TOKEN: out[i] = tokens[(length - 1) * hidden + i]; break;
      case SK_CUDA_POOL_WEIGHTED_MEAN: out[i] = static_cast<float>(weighted / weights); break;
    }
  }
  return out;
}

double Cosine(const float* a, const float* b, int n) {
  double dot = 0, na = 0, nb = 0;
  for (int i = 0; i < n; ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb + 1e-30);
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

void CheckModel(const std::string& dir) {
  std::cout << "  model " << dir << "\n";
  sktest::ReferenceEncoder reference;
  const sk::Status loaded = reference.Load(dir);
  CHECK(loaded.ok()) << loaded.message();
  if (!loaded.ok()) return;
  const int hidden = reference.hidden();
  const Batch batch = MakeBatch(reference.vocab(), reference.max_sequence(), 12345u);
  std::vector<std::vector<float>> expected;
  for (const auto& sequence : batch.sequences) expected.push_back(reference.Forward(sequence));

  auto fp32 = LoadEngine(dir, SK_CUDA_DTYPE_FLOAT32);
  if (fp32 == nullptr) return;
  CHECK(fp32->info().hidden_size == hidden);

  // Token outputs, fp32: max |diff| ≤ 1e-4 (the fp32 bar against sentence-transformers).
  std::vector<float> tokens(batch.ids.size() * hidden);
  sk::Status status = fp32->EncodeTokens(batch.ids, {}, batch.cu, tokens.data());
  CHECK(status.ok()) << status.message();
  double worst = 0;
  for (size_t s = 0; s < batch.sequences.size(); ++s) {
    for (size_t i = 0; i < expected[s].size(); ++i) {
      worst = sktest::MaxOrNan(worst, std::fabs(static_cast<double>(tokens[batch.cu[s] * hidden + i]) - expected[s][i]));
    }
  }
  std::cout << "    fp32 tokens: max |diff| " << worst << "\n";
  CHECK(worst <= 1e-4) << "fp32 token outputs differ from the CPU reference by " << worst;

  // Every pooling mode, plain and normalized.
  for (int mode = SK_CUDA_POOL_MEAN; mode <= SK_CUDA_POOL_WEIGHTED_MEAN; ++mode) {
    for (int normalize = 0; normalize <= 1; ++normalize) {
      std::vector<float> pooled(batch.sequences.size() * hidden);
      status = fp32->EncodePooled(batch.ids, {}, batch.cu, static_cast<SkCudaPooling>(mode), normalize, 0, pooled.data());
      CHECK(status.ok()) << status.message();
      double pool_worst = 0;
      for (size_t s = 0; s < batch.sequences.size(); ++s) {
        std::vector<float> want = ReferencePool(expected[s], static_cast<int>(batch.sequences[s].size()), hidden,
                                                static_cast<SkCudaPooling>(mode));
        if (normalize) {
          double norm = 0;
          for (float v : want) norm += static_cast<double>(v) * v;
          for (float& v : want) v = static_cast<float>(v / std::max(std::sqrt(norm), 1e-12));
        }
        for (int i = 0; i < hidden; ++i) pool_worst = sktest::MaxOrNan(pool_worst, std::fabs(static_cast<double>(pooled[s * hidden + i]) - want[i]));
      }
      CHECK(pool_worst <= 1e-4) << "pooling mode " << mode << " normalize " << normalize << ": max |diff| " << pool_worst;
    }
  }

  // Packing does not change a sequence's result: each alone equals its row in the batch.
  std::vector<float> together(batch.sequences.size() * hidden);
  status = fp32->EncodePooled(batch.ids, {}, batch.cu, SK_CUDA_POOL_MEAN, 0, 0, together.data());
  CHECK(status.ok()) << status.message();
  double pack_worst = 0;
  for (size_t s = 0; s < batch.sequences.size(); ++s) {
    std::vector<float> alone(hidden);
    const std::vector<int32_t> cu = {0, static_cast<int32_t>(batch.sequences[s].size())};
    status = fp32->EncodePooled(batch.sequences[s], {}, cu, SK_CUDA_POOL_MEAN, 0, 0, alone.data());
    CHECK(status.ok()) << status.message();
    for (int i = 0; i < hidden; ++i) pack_worst = sktest::MaxOrNan(pack_worst, std::fabs(static_cast<double>(alone[i]) - together[s * hidden + i]));
  }
  CHECK(pack_worst <= 1e-5) << "packed vs alone: max |diff| " << pack_worst;

  // include_prompt: false — skipping k leading tokens equals pooling the rest.
  {
    const int skip = 3;
    std::vector<float> pooled(batch.sequences.size() * hidden);
    status = fp32->EncodePooled(batch.ids, {}, batch.cu, SK_CUDA_POOL_MEAN, 0, skip, pooled.data());
    CHECK(status.ok()) << status.message();
    for (size_t s = 0; s < batch.sequences.size(); ++s) {
      const int length = static_cast<int>(batch.sequences[s].size());
      const int used = std::min(skip, std::max(length - 1, 0));
      std::vector<float> rest(expected[s].begin() + used * hidden, expected[s].end());
      const std::vector<float> want = ReferencePool(rest, length - used, hidden, SK_CUDA_POOL_MEAN);
      for (int i = 0; i < hidden; ++i) CHECK(std::fabs(pooled[s * hidden + i] - want[i]) <= 1e-4) << "skip, seq " << s;
    }
  }

  // Half precision: fp32 accumulation keeps every row's direction.
  for (SkCudaDtype dtype : {SK_CUDA_DTYPE_FLOAT16, SK_CUDA_DTYPE_BFLOAT16}) {
    auto engine = LoadEngine(dir, dtype);
    if (engine == nullptr) continue;
    std::vector<float> pooled(batch.sequences.size() * hidden);
    status = engine->EncodePooled(batch.ids, {}, batch.cu, SK_CUDA_POOL_MEAN, 1, 0, pooled.data());
    CHECK(status.ok()) << status.message();
    double worst_cosine = 1;
    for (size_t s = 0; s < batch.sequences.size(); ++s) {
      const auto want = ReferencePool(expected[s], static_cast<int>(batch.sequences[s].size()), hidden, SK_CUDA_POOL_MEAN);
      worst_cosine = sktest::MinOrNan(worst_cosine, Cosine(pooled.data() + s * hidden, want.data(), hidden));
    }
    const double bar = dtype == SK_CUDA_DTYPE_FLOAT16 ? 0.999 : 0.99;
    std::cout << "    " << (dtype == SK_CUDA_DTYPE_FLOAT16 ? "fp16" : "bf16") << " mean pooled: min cosine "
              << worst_cosine << "\n";
    CHECK(worst_cosine >= bar) << "min cosine " << worst_cosine;
  }

  // Bad input is an error, never a crash.
  std::vector<float> sink(hidden * 2);
  CHECK(!fp32->EncodePooled({reference.vocab()}, {}, {0, 1}, SK_CUDA_POOL_MEAN, 0, 0, sink.data()).ok());
  CHECK(!fp32->EncodePooled({-1}, {}, {0, 1}, SK_CUDA_POOL_MEAN, 0, 0, sink.data()).ok());
  CHECK(!fp32->EncodePooled({5, 6}, {}, {0, 0, 2}, SK_CUDA_POOL_MEAN, 0, 0, sink.data()).ok());
  std::vector<int32_t> too_long(reference.max_sequence() + 1, 200);
  std::vector<float> wide(hidden);
  CHECK(!fp32->EncodePooled(too_long, {}, {0, static_cast<int32_t>(too_long.size())}, SK_CUDA_POOL_MEAN, 0, 0, wide.data()).ok());
  // …and the engine still works afterwards.
  status = fp32->EncodePooled({101, 102}, {}, {0, 2}, SK_CUDA_POOL_MEAN, 0, 0, wide.data());
  CHECK(status.ok()) << status.message();
}

}  // namespace

// The reference itself, which needs no GPU: on tiny-bert it must give sentence-transformers'
// own embeddings (tiny-bert.reference.json, from the fixture generator) for every pooling mode.
TEST(reference_encoder_matches_sentence_transformers) {
  const char* source = std::getenv("SENTENCEKIT_SOURCE_DIR");
  const std::string root = std::string(source != nullptr ? source : SENTENCEKIT_SOURCE_DIR) + "/test/fixtures";
  sktest::ReferenceEncoder reference;
  const sk::Status loaded = reference.Load(root + "/tiny-bert");
  CHECK(loaded.ok()) << loaded.message();
  std::string text;
  sk::JsonValue json;
  CHECK(sk::ReadWholeFile(root + "/tiny-bert.reference.json", &text).ok());
  CHECK(sk::JsonValue::Parse(text, &json).ok());
  if (!loaded.ok() || !json.is_object()) return;
  const auto& tokens = json.Find("tokens")->array();
  const sk::JsonValue* embeddings = json.Find("embeddings");
  const int hidden = reference.hidden();
  double worst = 0;
  for (size_t row = 0; row < tokens.size(); ++row) {
    std::vector<int32_t> ids;
    for (const sk::JsonValue& id : tokens[row].Find("input_ids")->array()) ids.push_back(static_cast<int32_t>(id.integer()));
    const std::vector<float> states = reference.Forward(ids);
    const std::pair<const char*, SkCudaPooling> modes[] = {{"mean", SK_CUDA_POOL_MEAN}, {"cls", SK_CUDA_POOL_CLS},
                                                           {"max", SK_CUDA_POOL_MAX}};
    for (const auto& [name, mode] : modes) {
      const std::vector<float> pooled = ReferencePool(states, static_cast<int>(ids.size()), hidden, mode);
      const auto& want = embeddings->Find(name)->Find("raw")->array()[row].array();
      CHECK(static_cast<int>(want.size()) == hidden);
      for (int i = 0; i < hidden && i < static_cast<int>(want.size()); ++i) {
        worst = sktest::MaxOrNan(worst, std::fabs(pooled[i] - want[i].number()));
      }
    }
  }
  std::cout << "    reference vs sentence-transformers on " << tokens.size() << " texts: max |diff| " << worst << "\n";
  CHECK(worst <= 1e-5) << "max |diff| " << worst;
}

TEST(cuda_engine_matches_cpu_reference) {
  for (const std::string& dir : ModelDirs()) CheckModel(dir);
}

TEST(cuda_engine_rejects_missing_model_folder) {
  sk::runtime::CudaEncoderOptions options;
  options.library_dir = LibraryDir();
  options.model_dir = "/nonexistent/model";
  std::unique_ptr<sk::runtime::CudaEncoder> engine;
  const sk::Status status = sk::runtime::CudaEncoder::Load(options, &engine);
  CHECK(!status.ok());
  CHECK(status.code() == sk::StatusCode::kModelLoad) << status.message();
}

// Probes first: without a usable device only the reference_* tests run; the others are reported
// and counted as skipped, with the reason.
int main(int argc, char** argv) {
  SkCudaDeviceInfo info{};
  const sk::Status probe = sk::runtime::ProbeCuda(LibraryDir(), 0, &info);
  if (!probe.ok()) {
    std::cout << "no usable CUDA device: only the CPU reference's own check runs (" << probe.message() << ")\n";
  } else {
    std::cout << "CUDA device: " << info.device_name << " (sm_" << info.compute_capability << ", "
              << (info.total_memory_bytes >> 20) << " MiB), runtime " << info.runtime_version << ", driver "
              << info.driver_version << ", cuBLASLt " << info.cublaslt_version << "\n";
  }
  // Without a device every test but the reference's own is skipped, and counted so.
  const std::string no_device = probe.ok() ? std::string() : "no usable CUDA device (" + probe.message() + ")";
  return sktest::RunTests(argc > 1 ? argv[1] : nullptr, [&](const sktest::TestCase& test) {
    return test.name.rfind("reference_", 0) == 0 ? std::string() : no_device;
  });
}
