// The CPU int8 engine: its GEMM (AMX, AVX-512 VNNI, AVX2 and portable, against a plain int32
// reference), its per-token operations (AVX2 and AVX-512 against scalar), and the whole encoder against the fp32
// reference forward pass on the committed tiny models.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "check.h"
#include "core/aligned_vector.h"
#include "cpu_engine/encoder_ops.h"
#include "cpu_engine/cpu_encoder.h"
#include "engine_kernels.h"
#include "fixtures.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "kernels/testing.h"
#include "pipeline/classification_head.h"
#include "reference_encoder.h"

namespace {

using sk::kernels::GemmActivation;

std::vector<int8_t> RandomBytes(size_t count, std::mt19937& rng) {
  std::uniform_int_distribution<int> value(-127, 127);
  std::vector<int8_t> bytes(count);
  for (int8_t& b : bytes) b = static_cast<int8_t>(value(rng));
  return bytes;
}

using sktest::RandomFloats;

// Runs fn(kernel name) with Int8Gemm on each kernel this CPU has: the portable loop, AVX2,
// AVX-512 VNNI, AMX.
template <typename Fn>
void ForEachGemmKernel(Fn fn) {
  sktest::ForEachEngineKernel(sk::kernels::Int8GemmKernel, sk::kernels::AmxInt8Enabled, fn);
}

double Cosine(const float* a, const float* b, size_t n) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

}  // namespace

TEST(int8_gemm_matches_int32_reference) {
  std::mt19937 rng(7);
  for (size_t rows : {1u, 15u, 16u, 17u, 33u, 77u, 130u}) {
    for (size_t k : {8u, 64u, 100u, 384u}) {
      for (size_t n : {5u, 16u, 50u, 64u, 97u}) {
        const size_t stride = sk::kernels::GemmRowStride(k);
        const size_t padded_rows = (rows + 31) / 32 * 32;
        std::vector<int8_t> a_rows = RandomBytes(rows * k, rng), w = RandomBytes(n * k, rng);
        // The extremes, whose products and pair sums overflow int16 (-128 · -128 twice is 32768).
        a_rows[0] = a_rows[1] = w[0] = w[1] = -128;
        a_rows.back() = w.back() = 127;
        sk::AlignedVector<int8_t> a(padded_rows * stride, 0);
        for (size_t r = 0; r < rows; ++r) std::copy_n(a_rows.data() + r * k, k, a.data() + r * stride);
        sk::AlignedVector<int8_t> packed(sk::kernels::GemmPackedBytes(n, k));
        sk::kernels::PackGemmWeights(w.data(), n, k, packed.data());
        std::vector<float> ones_rows(padded_rows, 1.0f), ones_cols(n, 1.0f);
        std::vector<float> expected(rows * n);
        for (size_t r = 0; r < rows; ++r) {
          for (size_t c = 0; c < n; ++c) {
            int32_t acc = 0;
            for (size_t i = 0; i < k; ++i) acc += a_rows[r * k + i] * w[c * k + i];
            expected[r * n + c] = static_cast<float>(acc);
          }
        }
        std::vector<int32_t> sums(n);
        sk::kernels::GemmWeightSums(w.data(), n, k, sums.data());
        // The portable loop, AVX-512 VNNI and AMX, each where the CPU has it.
        ForEachGemmKernel([&](const char* kernel) {
          std::vector<float> out(rows * n, -1.0f);
          sk::kernels::GemmOutput output;
          output.row_scales = ones_rows.data();
          output.column_scales = ones_cols.data();
          output.out = out.data();
          output.out_stride = output.columns = n;
          output.weight_sums = sums.data();
          // Two calls over disjoint row and group ranges, as the engine's tasks split them.
          const size_t groups = sk::kernels::GemmGroups(n), half = rows / 2 / 32 * 32;
          sk::kernels::Int8Gemm(a.data(), stride, 0, half, packed.data(), sk::kernels::GemmSteps(k), 0, groups, output);
          sk::kernels::Int8Gemm(a.data(), stride, half, rows, packed.data(), sk::kernels::GemmSteps(k), 0, 1, output);
          sk::kernels::Int8Gemm(a.data(), stride, half, rows, packed.data(), sk::kernels::GemmSteps(k), 1, groups, output);
          CHECK(out == expected) << "rows " << rows << " k " << k << " n " << n << " kernel " << kernel;
        });
      }
    }
  }
}

TEST(int8_gemm_epilogue_scales_bias_and_activations) {
  std::mt19937 rng(11);
  const size_t rows = 45, k = 96, n = 40, stride = sk::kernels::GemmRowStride(k);
  sk::AlignedVector<int8_t> a(64 * stride, 0);
  std::vector<int8_t> w = RandomBytes(n * k, rng);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<int8_t> row = RandomBytes(k, rng);
    std::copy(row.begin(), row.end(), a.data() + r * stride);
  }
  sk::AlignedVector<int8_t> packed(sk::kernels::GemmPackedBytes(n, k));
  sk::kernels::PackGemmWeights(w.data(), n, k, packed.data());
  std::vector<float> row_scales = RandomFloats(64, rng, 1e-3f), column_scales = RandomFloats(n, rng, 1e-2f);
  std::vector<float> bias = RandomFloats(n, rng);
  for (GemmActivation activation : {GemmActivation::kNone, GemmActivation::kGeluErf, GemmActivation::kGeluTanh, GemmActivation::kRelu}) {
    std::vector<float> expected(rows * n), out(rows * n);
    sk::kernels::GemmOutput output;
    output.row_scales = row_scales.data();
    output.column_scales = column_scales.data();
    output.bias = bias.data();
    output.activation = activation;
    output.out = expected.data();
    output.out_stride = output.columns = n;
    std::vector<int32_t> sums(n);
    sk::kernels::GemmWeightSums(w.data(), n, k, sums.data());
    output.weight_sums = sums.data();
    // The epilogue from its formula, in double, on the unpacked operands: acc · row_scale ·
    // column_scale + bias, then the activation.
    std::vector<double> formula(rows * n);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < n; ++c) {
        int64_t acc = 0;
        for (size_t i = 0; i < k; ++i) acc += static_cast<int64_t>(a[r * stride + i]) * w[c * k + i];
        const double value = static_cast<double>(acc) * row_scales[r] * column_scales[c] + bias[c];
        formula[r * n + c] = sktest::ReferenceActivation(static_cast<int>(activation), value);
      }
    }
    auto worst_against_formula = [&](const std::vector<float>& got) {
      double worst = 0.0;
      for (size_t i = 0; i < got.size(); ++i) {
        worst = sktest::MaxOrNan(worst, std::fabs(got[i] - formula[i]) / std::max(1.0, std::fabs(formula[i])));
      }
      return worst;
    };
    sk::kernels::Int8GemmScalar(a.data(), stride, 0, rows, packed.data(), sk::kernels::GemmSteps(k), 0, sk::kernels::GemmGroups(n), output);
    // float32 scaling and std::erf / std::tanh in float: a few ulps of the value.
    CHECK(worst_against_formula(expected) < 2e-6) << "activation " << static_cast<int>(activation)
                                                 << ": the portable loop against the formula " << worst_against_formula(expected);
    ForEachGemmKernel([&](const char* kernel) {
      std::fill(out.begin(), out.end(), std::nanf(""));
      output.out = out.data();
      sk::kernels::Int8Gemm(a.data(), stride, 0, rows, packed.data(), sk::kernels::GemmSteps(k), 0, sk::kernels::GemmGroups(n), output);
      float worst = 0.0f;
      for (size_t i = 0; i < out.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(out[i] - expected[i]));
      CHECK(worst < 2e-5f) << "activation " << static_cast<int>(activation) << " kernel " << kernel << " max |diff| " << worst;
      CHECK(worst_against_formula(out) < 2e-5) << "activation " << static_cast<int>(activation) << " kernel " << kernel
                                               << " against the formula " << worst_against_formula(out);
    });
  }
}

// The SIMD forms of the per-token operations, each where this CPU runs it.
struct EncoderOpsForm {
  const char* name;
  sk::kernels::CpuLevel level;
  void (*quantize)(const float*, size_t, int8_t*, float*);
  void (*layer_norm)(float*, const float*, size_t, const float*, const float*, float, int8_t*, float*);
  void (*attention)(const sk::cpu::HeadView&, size_t, size_t, float, float*);
};

#if !defined(__aarch64__)  // aarch64 runs the scalar forms (no NEON encoder ops yet)
const EncoderOpsForm kEncoderOpsForms[] = {
    {"avx2", sk::kernels::CpuLevel::kAvx2, sk::cpu::avx2::QuantizeRow, sk::cpu::avx2::ResidualLayerNormRow, sk::cpu::avx2::AttentionHead},
    {"avx512", sk::kernels::CpuLevel::kAvx512, sk::cpu::avx512::QuantizeRow, sk::cpu::avx512::ResidualLayerNormRow,
     sk::cpu::avx512::AttentionHead},
};

TEST(encoder_ops_simd_match_scalar) {
  for (const EncoderOpsForm& form : kEncoderOpsForms) {
  if (form.level > sk::kernels::SupportedCpuLevel()) {
    sktest::SkipPart(std::string(form.name) + " encoder ops (not on this CPU)");
    continue;
  }
  std::cout << "  " << form.name << "\n";
  std::mt19937 rng(3);
  // Quantization bit for bit, edge rows included: all zero, a NaN (0, as the scalar form
  // writes it, and passed over by the peak), a ±infinity (its row's peak: all else 0), ties.
  for (size_t cols : {1u, 7u, 8u, 9u, 15u, 17u, 32u, 384u, 1000u}) {
    for (int edge = 0; edge < 5; ++edge) {
      std::vector<float> x = RandomFloats(cols, rng, 3.0f);
      if (edge == 1) std::fill(x.begin(), x.end(), 0.0f);
      if (edge == 2) x[cols / 2] = NAN;
      if (edge == 3) x[cols - 1] = -INFINITY;
      if (edge == 4) {
        for (size_t c = 0; c < cols; ++c) x[c] = static_cast<float>(static_cast<int>(c % 9) - 4) * 0.5f;  // halves: ties to even
        x[0] = 127.0f;
      }
      std::vector<int8_t> q1(cols), q2(cols + 8, 99);
      float s1 = 0, s2 = 0;
      sk::cpu::scalar::QuantizeRow(x.data(), cols, q1.data(), &s1);
      form.quantize(x.data(), cols, q2.data(), &s2);
      CHECK(std::equal(q1.begin(), q1.end(), q2.begin()) && (s1 == s2 || (std::isnan(s1) && std::isnan(s2))))
          << form.name << " quantize, cols " << cols << " edge " << edge;
      CHECK(std::all_of(q2.begin() + cols, q2.end(), [](int8_t b) { return b == 99; })) << form.name << " quantize wrote past cols " << cols;
    }
  }
  for (size_t cols : {7u, 9u, 32u, 384u, 1000u}) {
    std::vector<float> x = RandomFloats(cols, rng, 3.0f);
    std::vector<int8_t> q1(cols), q2(cols);
    float s1 = 0, s2 = 0;
    std::vector<float> residual = RandomFloats(cols, rng), gamma = RandomFloats(cols, rng), beta = RandomFloats(cols, rng);
    std::vector<float> y1 = x, y2 = x;
    y2.push_back(42.0f);
    sk::cpu::scalar::ResidualLayerNormRow(y1.data(), residual.data(), cols, gamma.data(), beta.data(), 1e-12f, nullptr, nullptr);
    form.layer_norm(y2.data(), residual.data(), cols, gamma.data(), beta.data(), 1e-12f, q2.data(), &s2);
    float worst = 0;
    for (size_t c = 0; c < cols; ++c) worst = sktest::MaxOrNan(worst, std::fabs(y1[c] - y2[c]));
    CHECK(worst < 1e-4f) << form.name << " layer norm, cols " << cols << " max |diff| " << worst;
    CHECK(y2[cols] == 42.0f) << form.name << " layer norm wrote past cols " << cols;
    sk::cpu::scalar::QuantizeRow(y2.data(), cols, q1.data(), &s1);
    CHECK(q1 == q2 && s1 == s2) << form.name << " layer norm's quantization, cols " << cols;
  }
  for (bool biased : {false, true})
  for (size_t head_dim : {3u, 8u, 12u, 32u, 40u, 64u, 96u}) {
    for (size_t length : {1u, 3u, 16u, 17u, 33u, 130u}) {
      const size_t stride = 3 * head_dim + 5;
      std::vector<float> qkv = RandomFloats(length * stride, rng, 2.0f);
      std::vector<float> out1(length * head_dim), out2(length * head_dim, -7.0f);
      sk::AlignedVector<float> scratch(sk::cpu::AttentionScratchFloats(length, head_dim));
      sk::cpu::HeadView view{qkv.data(), qkv.data() + head_dim, qkv.data() + 2 * head_dim, stride, out1.data(), head_dim};
      std::vector<float> bias = RandomFloats(2 * (length + 16), rng, 1.0f);
      if (biased) view.position_bias = bias.data() + length + 16;
      const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
      sk::cpu::scalar::AttentionHead(view, length, head_dim, scale, scratch.data());
      view.out = out2.data();
      form.attention(view, length, head_dim, scale, scratch.data());
      float worst = 0;
      for (size_t i = 0; i < out1.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(out1[i] - out2[i]));
      CHECK(worst < 1e-4f) << form.name << " attention, head_dim " << head_dim << " length " << length << " max |diff| " << worst;
      if (form.level != sk::kernels::CpuLevel::kAvx512 || !sk::cpu::amx::Usable(head_dim)) continue;
      // bf16 operands: about 3 significant digits per product, fp32 sums. Values here are ~N(0, 2).
      std::fill(out2.begin(), out2.end(), -7.0f);
      scratch.assign(sk::cpu::AttentionScratchFloats(length, head_dim), 0.0f);
      sk::cpu::amx::AttentionHead(view, length, head_dim, scale, false, scratch.data());
      worst = 0;
      double cosine_sum = 0;
      for (size_t t = 0; t < length; ++t) {
        for (size_t d = 0; d < head_dim; ++d) worst = sktest::MaxOrNan(worst, std::fabs(out1[t * head_dim + d] - out2[t * head_dim + d]));
        cosine_sum += Cosine(out1.data() + t * head_dim, out2.data() + t * head_dim, head_dim);
      }
      CHECK(worst < 0.1f && cosine_sum / length > 0.9999) << "amx attention, head_dim " << head_dim << " length " << length
                                                         << " max |diff| " << worst << " mean cosine " << cosine_sum / length;
      // bf16x3 (split): three products of bf16 halves, fp32 to about 2^-16 per product.
      std::fill(out2.begin(), out2.end(), -7.0f);
      sk::cpu::amx::AttentionHead(view, length, head_dim, scale, true, scratch.data());
      worst = 0;
      for (size_t i = 0; i < out1.size(); ++i) worst = sktest::MaxOrNan(worst, std::fabs(out1[i] - out2[i]));
      CHECK(worst < 2e-4f) << "bf16x3 amx attention, head_dim " << head_dim << " length " << length << " max |diff| " << worst;
    }
  }
  }
  if (!sk::kernels::AmxBf16Enabled()) sktest::SkipPart("amx-bf16 attention (no AMX on this CPU)");
}
#endif

// BERT saved bare (tiny-bert) and RoBERTa inside a classification model (tiny-roberta-weights:
// roberta.*, positions offset past the padding index; test/tools/int8_engine_fixtures.py).
TEST(int8_encoder_tracks_fp32_reference) {
  for (const char* name : {"tiny-bert", "tiny-roberta-weights"}) {
  std::cout << "  " << name << "\n";
  const std::string dir = sktest::FixturePath(name);
  sktest::ReferenceEncoder reference;
  CHECK(reference.Load(dir).ok());
  std::unique_ptr<sk::cpu::CpuEncoder> engine;
  const sk::Status loaded = sk::cpu::CpuEncoder::Load(dir, {2}, &engine);
  CHECK(loaded.ok()) << loaded.message();
  if (!loaded.ok()) return;
  std::mt19937 rng(5);
  // Mixed lengths in one packed batch, each checked against the reference run alone.
  const sktest::PackedIds packed = sktest::RandomPackedIds(reference.vocab(), static_cast<size_t>(engine->config().max_sequence()), rng);
  // References, not a structured binding: the lambdas below capture them (clang 14 refuses bindings).
  const auto& sequences = packed.sequences;
  const auto& ids = packed.ids;
  const auto& offsets = packed.offsets;
  const size_t H = engine->config().hidden_size;
  ForEachGemmKernel([&](const char* kernel) {
    const bool split = std::string(kernel) == "portable";
    sk::cpu::PackedSequences batch{ids.data(), nullptr, offsets.data(), sequences.size()};
    const float* hidden = nullptr;
    const sk::Status ran = engine->Forward(batch, 0, split, &hidden);
    CHECK(ran.ok()) << ran.message();
    if (!ran.ok()) return;
    double worst = 1.0, total = 0.0;
    size_t count = 0;
    for (size_t s = 0; s < sequences.size(); ++s) {
      const std::vector<float> expected = reference.Forward(sequences[s]);
      for (size_t t = 0; t < sequences[s].size(); ++t) {
        const double cosine = Cosine(hidden + (offsets[s] + t) * H, expected.data() + t * H, H);
        worst = sktest::MinOrNan(worst, cosine);
        total += cosine;
        ++count;
      }
    }
    std::cout << "  " << kernel << ": token cosine against fp32, mean " << total / count << " min " << worst << "\n";
    CHECK(worst > 0.995) << name << " " << kernel << " min token cosine " << worst;
  });

  std::vector<int32_t> bad{1, reference.vocab(), 2};
  std::vector<int32_t> bad_offsets{0, 3};
  const float* hidden = nullptr;
  const sk::Status rejected = engine->Forward({bad.data(), nullptr, bad_offsets.data(), 1}, 0, false, &hidden);
  CHECK(rejected.code() == sk::StatusCode::kInvalidArgument) << rejected.message();
  }
}

TEST(int8_encoder_rejects_what_it_cannot_run) {
  std::unique_ptr<sk::cpu::CpuEncoder> engine;
  // tiny-mpnet ships ONNX weights only.
  const sk::Status mpnet = sk::cpu::CpuEncoder::Load(sktest::FixturePath("tiny-mpnet"), {1}, &engine);
  CHECK(mpnet.code() == sk::StatusCode::kModelLoad) << mpnet.message();
  const sk::Status missing = sk::cpu::CpuEncoder::Load(sktest::FixturePath("no-such-model"), {1}, &engine);
  CHECK(missing.code() == sk::StatusCode::kModelLoad) << missing.message();
}

// The cross-encoder head the int8 engine's CrossEncoder uses, read by both naming schemes: on
// the int8 engine's first token it stays close to the head on the fp32 reference's.
TEST(classification_head_loads_bert_and_roberta_heads) {
  sk::pipeline::ClassificationHead head;
  const sk::Status none = sk::pipeline::ClassificationHead::Load(sktest::FixturePath("tiny-bert"), 32, &head);
  CHECK(none.code() == sk::StatusCode::kModelLoad) << none.message();
  for (const char* name : {"tiny-roberta-weights", "int8-engine/tiny-ce-3label"}) {
    const std::string dir = sktest::FixturePath(name);
    const sk::Status loaded = sk::pipeline::ClassificationHead::Load(dir, 32, &head);
    CHECK(loaded.ok()) << name << ": " << loaded.message();
    if (!loaded.ok()) continue;
    CHECK(head.num_labels() == (std::string(name) == "tiny-roberta-weights" ? 1u : 3u)) << name;
    sktest::ReferenceEncoder reference;
    CHECK(reference.Load(dir).ok());
    std::unique_ptr<sk::cpu::CpuEncoder> engine;
    CHECK(sk::cpu::CpuEncoder::Load(dir, {1}, &engine).ok());
    std::vector<int32_t> ids{0, 17, 311, 45, 902, 7, 2};
    std::vector<int32_t> offsets{0, static_cast<int32_t>(ids.size())};
    const float* hidden = nullptr;
    CHECK(engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden).ok());
    const std::vector<float> expected_hidden = reference.Forward(ids);
    std::vector<float> ours(head.num_labels()), theirs(head.num_labels()), scratch;
    head.Apply(hidden, 1, ours.data(), scratch);
    head.Apply(expected_hidden.data(), 1, theirs.data(), scratch);
    for (size_t label = 0; label < ours.size(); ++label) {
      CHECK(std::fabs(ours[label] - theirs[label]) < 0.1f) << name << " label " << label << ": " << ours[label] << " vs " << theirs[label];
    }
  }
}

// RoBERTa, MPNet and a BERT with 32-wide heads (AMX attention's shape) against transformers
// itself (hidden_states.json beside their weights, written by test/tools/int8_engine_fixtures.py):
// the engine's hidden states, the RoBERTa head's logits, and the fp32 reference forward pass the
// other tests lean on.
TEST(int8_encoder_matches_transformers_on_roberta_mpnet_and_wide_heads) {
  for (const std::string name : {"tiny-roberta-weights", "tiny-mpnet-weights", "tiny-bert-hd32-weights"}) {
    const std::string dir = sktest::FixturePath(name);
    const sk::JsonValue cases = sktest::ReadFixtureJson(name + "/hidden_states.json");
    std::unique_ptr<sk::cpu::CpuEncoder> engine;
    const sk::Status loaded = sk::cpu::CpuEncoder::Load(dir, {1}, &engine);
    CHECK(loaded.ok()) << name << ": " << loaded.message();
    sktest::ReferenceEncoder reference;
    CHECK(reference.Load(dir).ok());
    sk::pipeline::ClassificationHead head;
    const bool has_head = sk::pipeline::ClassificationHead::Load(dir, 32, &head).ok();
    if (!engine) continue;
    const size_t H = engine->config().hidden_size;
    for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
      sk::kernels::SetCpuLevelForTesting(static_cast<sk::kernels::CpuLevel>(level));
      for (const sk::JsonValue& item : cases.array()) {
        std::vector<int32_t> ids;
        for (int64_t id : sktest::IntArray(*item.Find("ids"))) ids.push_back(static_cast<int32_t>(id));
        std::vector<float> expected;
        for (const sk::JsonValue& row : item.Find("last_hidden_state")->array()) {
          for (const sk::JsonValue& value : row.array()) expected.push_back(static_cast<float>(value.number()));
        }
        std::vector<int32_t> offsets{0, static_cast<int32_t>(ids.size())};
        const float* hidden = nullptr;
        CHECK(engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden).ok());
        const std::vector<float> fp32 = reference.Forward(ids);
        double worst = 1.0;
        float reference_worst = 0.0f;
        for (size_t t = 0; t < ids.size(); ++t) {
          worst = sktest::MinOrNan(worst, Cosine(hidden + t * H, expected.data() + t * H, H));
          for (size_t c = 0; c < H; ++c) reference_worst = sktest::MaxOrNan(reference_worst, std::fabs(fp32[t * H + c] - expected[t * H + c]));
        }
        CHECK(worst > 0.995) << name << " level " << level << ", " << ids.size() << " tokens: min token cosine " << worst;
        CHECK(reference_worst < 1e-4f) << name << ", " << ids.size() << " tokens: fp32 reference max |diff| " << reference_worst;
        if (!has_head || item.Find("logits") == nullptr) continue;
        float logit = 0.0f;
        std::vector<float> scratch;
        head.Apply(hidden, 1, &logit, scratch);
        const double want = item.Find("logits")->array()[0].number();
        CHECK(std::fabs(logit - want) < 0.05) << name << ", " << ids.size() << " tokens: logit " << logit << " vs " << want;
      }
    }
    sk::kernels::SetCpuLevelForTesting(sk::kernels::SupportedCpuLevel());
  }
}

// EngineLinear::Apply over a pool: row blocks as tasks, or (one block, a short query) column
// groups as tasks, for any number of groups; either way every output and every block finisher
// exactly as inline, at both precisions.
TEST(engine_linear_spreads_rows_or_columns_over_a_pool_bit_for_bit) {
  std::mt19937 rng(17);
  for (sk::cpu::EnginePrecision precision : {sk::cpu::EnginePrecision::kInt8, sk::cpu::EnginePrecision::kBf16x3}) {
    for (size_t out : {16u, 80u, 112u, 392u}) {
      const size_t in = 48;
      sk::cpu::EngineLinear linear;
      linear.Load(RandomFloats(out * in, rng, 0.1f), RandomFloats(out, rng), out, in, precision);
      for (size_t rows : {1u, 7u, 64u, 130u}) {
        sk::cpu::GemmRows a;
        a.Reserve(precision, rows, in);
        const std::vector<float> x = RandomFloats(rows * in, rng);
        for (size_t r = 0; r < rows; ++r) a.Set(r, x.data() + r * in, in);
        auto run = [&](sk::ThreadPool* pool, std::vector<size_t>* finished) {
          std::vector<float> y(rows * out, -1.0f);
          linear.Apply(
              a, rows, GemmActivation::kGeluErf, out, [&](size_t, size_t begin) { return y.data() + begin * out; },
              [&](size_t, size_t begin, size_t end, float*) {
                for (size_t r = begin; r < end; ++r) ++(*finished)[r];
              },
              pool, 0);
          return y;
        };
        std::vector<size_t> inline_done(rows, 0);
        const std::vector<float> expected = run(nullptr, &inline_done);
        for (size_t threads : {2u, 3u}) {
          sk::ThreadPool pool(threads);
          std::vector<size_t> done(rows, 0);
          CHECK(run(&pool, &done) == expected) << "out " << out << " rows " << rows << " threads " << threads;
          CHECK(done == std::vector<size_t>(rows, 1)) << "out " << out << " rows " << rows << ": each row finished once";
        }
      }
    }
  }
}
