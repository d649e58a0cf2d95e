// The gather-and-mean kernel of StaticEmbedding at every CPU level against a plain loop written
// from nn.EmbeddingBag (float32 sums in token order, divided by the count; an empty bag is
// zeros), on odd widths, repeated ids and edge values; and the model on the committed
// fixtures against Python sentence-transformers' vectors.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "cpu_levels.h"
#include "fixtures.h"
#include "kernels/gather_mean.h"
#include "kernels/kernels.h"
#include "pipeline/static_embedding.h"

namespace {

using sk::kernels::CpuLevel;

// What EmbeddingBag(mode="mean") computes on the CPU, written out.
std::vector<float> Reference(const std::vector<float>& table, size_t dim, const std::vector<int64_t>& ids) {
  std::vector<float> sum(dim, 0.0f);
  for (int64_t id : ids) {
    for (size_t d = 0; d < dim; ++d) sum[d] = sum[d] + table[static_cast<size_t>(id) * dim + d];
  }
  if (!ids.empty()) for (float& value : sum) value = value / static_cast<float>(ids.size());
  return sum;
}

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0 || (std::isnan(a) && std::isnan(b)); }

}  // namespace

TEST(static_gather_mean_every_level_equals_embedding_bag) {
  std::mt19937 random(22);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const size_t rows = 97;
  for (size_t dim : {1, 3, 7, 8, 9, 16, 24, 63, 64, 65, 100, 128, 256, 257, 1024}) {
    std::vector<float> table(rows * dim);
    for (float& value : table) value = normal(random);
    // Edge values: huge magnitudes that cancel, subnormals, an infinity and a NaN in their own rows.
    table[5 * dim] = 3e38f;
    table[6 * dim] = -3e38f;
    table[7 * dim] = std::numeric_limits<float>::denorm_min();
    table[8 * dim] = std::numeric_limits<float>::infinity();
    table[9 * dim] = std::numeric_limits<float>::quiet_NaN();
    std::vector<std::vector<int64_t>> bags = {{}, {0}, {96}, {5, 6}, {5, 5, 6}, {7, 7, 7}, {8, 1}, {9, 2, 3}, {4, 4, 4, 4, 4}};
    std::uniform_int_distribution<int64_t> pick(0, static_cast<int64_t>(rows) - 1);
    for (size_t length : {1, 2, 17, 300}) {
      std::vector<int64_t> bag(length);
      for (int64_t& id : bag) id = pick(random);
      bags.push_back(bag);
    }
    for (int level = 0; level <= static_cast<int>(sk::kernels::SupportedCpuLevel()); ++level) {
      const sk::kernels::GatherMeanFn kernel = sk::kernels::GatherMeanFor(level);
      for (const auto& bag : bags) {
        const std::vector<float> want = Reference(table, dim, bag);
        // Guard floats past the row: a masked tail must not write them.
        std::vector<float> got(dim + 8, 12345.0f);
        kernel(table.data(), dim, bag.data(), bag.size(), got.data());
        for (size_t d = 0; d < dim; ++d) {
          CHECK(SameBits(got[d], want[d])) << "level " << level << " dim " << dim << " bag of " << bag.size() << " at " << d
                                           << ": " << got[d] << " vs " << want[d];
        }
        for (size_t d = dim; d < dim + 8; ++d) CHECK(got[d] == 12345.0f) << "level " << level << " wrote past dim " << dim;
      }
    }
  }
#if defined(__aarch64__)  // one NEON form serves every ARM level
  sktest::SkipCpuLevelsAbove(CpuLevel::kNeon);
#else
  sktest::SkipCpuLevelsAbove(CpuLevel::kAvx2);
#endif
}

TEST(static_embedding_model_matches_sentence_transformers) {
  const sk::JsonValue reference = sktest::ReadFixtureJson("static-embedding.reference.json");
  std::vector<std::string> texts;
  for (const sk::JsonValue& text : reference.Find("texts")->array()) texts.push_back(text.string());
  struct Case {
    const char* name;
    std::string tokenizer, weights;
    size_t max_length;
    bool normalize_module;
  };
  const Case cases[] = {
      {"static-bert", "static-bert/tokenizer.json", "static-bert/model.safetensors", 0, true},
      {"static-xlmr-m2v", "static-xlmr-m2v/tokenizer.json", "static-xlmr-m2v/model.safetensors", 48, true},
      {"static-roberta-mrl", "static-roberta-mrl/0_StaticEmbedding/tokenizer.json",
       "static-roberta-mrl/0_StaticEmbedding/model.safetensors", 0, false},
  };
  for (const Case& c : cases) {
    const sk::JsonValue& model_reference = *reference.Find("models")->Find(c.name);
    const sk::JsonValue& rows = *model_reference.Find("cases")->Find("default");
    // Python encodes a float16 table in float16; ours averages the same values in float32.
    const double tolerance = model_reference.Find("dtype")->string() == "float16" ? 2e-3 : 1e-6;
    sk::pipeline::StaticEmbeddingFiles files;
    files.tokenizer_path = sktest::FixturePath(c.tokenizer);
    files.weights_path = sktest::FixturePath(c.weights);
    files.max_length = c.max_length;
    files.normalize_module = c.normalize_module;
    std::unique_ptr<sk::pipeline::StaticEmbeddingModel> model;
    const sk::Status status = sk::pipeline::StaticEmbeddingModel::Load(files, &model);
    CHECK(status.ok()) << status.message();
    if (!status.ok()) continue;
    CHECK(model->dimension() == static_cast<size_t>(model_reference.Find("dimension")->integer()));
    // Many copies of the texts, so the thread pool's tasks are exercised too.
    std::vector<std::string> many;
    for (int copy = 0; copy < 40; ++copy) many.insert(many.end(), texts.begin(), texts.end());
    std::vector<float> out(many.size() * model->dimension());
    const sk::Status encoded = model->Encode(many, {}, out.data());
    CHECK(encoded.ok()) << encoded.message();
    double worst = 0;
    for (size_t i = 0; i < many.size(); ++i) {
      const auto& want = rows.array()[i % texts.size()].array();
      for (size_t d = 0; d < model->dimension(); ++d) {
        worst = sktest::MaxOrNan(worst, std::fabs(static_cast<double>(out[i * model->dimension() + d]) - want[d].number()));
      }
    }
    CHECK(worst <= tolerance) << c.name << ": max |diff| " << worst;
  }
}

TEST(static_embedding_refuses_a_table_shorter_than_the_vocabulary) {
  sk::pipeline::StaticEmbeddingFiles files;
  files.tokenizer_path = sktest::FixturePath("static-bert/tokenizer.json");  // 30,522 tokens
  files.weights_path = sktest::FixturePath("static-xlmr-m2v/model.safetensors");  // 6,001 rows
  std::unique_ptr<sk::pipeline::StaticEmbeddingModel> model;
  const sk::Status status = sk::pipeline::StaticEmbeddingModel::Load(files, &model);
  CHECK(!status.ok() && status.message().find("6001 rows") != std::string::npos) << status.message();
}
