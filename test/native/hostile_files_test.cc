// What the parser fuzz targets (test/fuzz/parsers.sh) found in hostile model files, kept as
// plain cases: each once crashed, read outside a table, allocated from a number alone, or cast
// NaN to an integer (undefined: UBSan in build-asan reports it), and must now load cleanly or
// fail with a Status that says why. The micro BERT they start from is the cpu_engine fuzz
// target's committed seed (test/fuzz/corpus/cpu_engine/bert-f32: config.json, a separator,
// model.safetensors).
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "core/file_util.h"
#include "cpu_engine/cpu_encoder.h"
#include "fixtures.h"
#include "model/encoder_config.h"
#include "model/safetensors_file.h"
#include "tokenizer/precompiled.h"
#include "tokenizer/tokenizer.h"

namespace {

const char kSeparator[] = "\n--safetensors--\n";

struct MicroModel {
  std::string config;
  std::string weights;
};

MicroModel ReadMicroBert() {
  std::string seed;
  const sk::Status read = sk::ReadWholeFile(std::string(SENTENCEKIT_SOURCE_DIR) + "/test/fuzz/corpus/cpu_engine/bert-f32", &seed);
  if (!read.ok()) throw std::runtime_error(read.message());
  const size_t at = seed.find(kSeparator);
  return {seed.substr(0, at), seed.substr(at + std::strlen(kSeparator))};
}

// `text` with the first `from` replaced by `to` (the test fails if `from` is absent).
// Writes config.json and model.safetensors into a fresh folder; returns it.
std::string WriteModel(const MicroModel& model, const char* name) {
  const std::string dir = "/tmp/sentencekit-hostile-" + std::to_string(getpid()) + "-" + name;
  std::system(("mkdir -p '" + dir + "'").c_str());
  std::ofstream(dir + "/config.json", std::ios::binary) << model.config;
  std::ofstream(dir + "/model.safetensors", std::ios::binary) << model.weights;
  return dir;
}

sk::Status LoadEngine(const MicroModel& model, const char* name, std::unique_ptr<sk::cpu::CpuEncoder>* engine) {
  sk::cpu::CpuEncoder::LoadOptions options;
  options.threads = 1;
  options.spin = false;
  const std::string dir = WriteModel(model, name);
  const sk::Status status = sk::cpu::CpuEncoder::Load(dir, options, engine);
  std::system(("rm -rf '" + dir + "'").c_str());
  return status;
}

// A safetensors file of one F32 tensor with this shape and `data_bytes` bytes of data.
std::string OneTensorFile(const std::string& shape, size_t data_bytes) {
  const std::string header = "{\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0," + std::to_string(data_bytes) + "]}}";
  std::string file(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(file.data(), &length, 8);
  return file + header + std::string(data_bytes, '\0');
}

}  // namespace

TEST(hostile_safetensors_shape_whose_byte_size_overflows_is_refused) {
  // 2^62 x 4 floats is 2^66 bytes: the product wrapped to 0 and matched an empty entry, so the
  // read "succeeded" with no values for a shape claiming 2^64 of them.
  for (const char* shape : {"[4611686018427387904,4]", "[4294967296,4294967296]", "[2305843009213693952,2,4]"}) {
    sk::model::SafetensorsFile file;
    const sk::Status parsed = file.Parse(OneTensorFile(shape, 0), "hostile.safetensors");
    CHECK(parsed.ok()) << parsed.message();
    if (!parsed.ok()) continue;
    std::vector<float> values;
    const sk::Status read = file.ReadFloat32("t", file.Find("t")->shape, &values);
    CHECK(!read.ok()) << shape << " was read as " << values.size() << " values";
    CHECK(read.message().find("too large") != std::string::npos) << read.message();
  }
  // A real empty tensor stays readable.
  sk::model::SafetensorsFile empty;
  CHECK(empty.Parse(OneTensorFile("[0,4]", 0), "empty.safetensors").ok());
  std::vector<float> values{1.0f};
  CHECK(empty.ReadFloat32("t", {0, 4}, &values).ok() && values.empty());
}

TEST(hostile_config_values_past_int32_or_before_the_position_table_are_refused) {
  const MicroModel bert = ReadMicroBert();
  sk::model::EncoderConfig config;
  CHECK(sk::model::ParseEncoderConfig(bert.config, "config.json", &config).ok());
  // 2^32 + 8 was truncated to a hidden size of 8.
  const std::string wide = sktest::ReplaceFirst(bert.config, "\"hidden_size\": 8", "\"hidden_size\": 4294967304");
  sk::Status status = sk::model::ParseEncoderConfig(wide, "config.json", &config);
  CHECK(!status.ok() && status.message().find("hidden_size") != std::string::npos) << status.message();
  // RoBERTa numbers positions from pad_token_id + 1: a negative one read before the table.
  std::string roberta = sktest::ReplaceFirst(bert.config, "\"model_type\": \"bert\"", "\"model_type\": \"roberta\"");
  roberta = sktest::ReplaceFirst(roberta, "\"pad_token_id\": 0", "\"pad_token_id\": -5");
  status = sk::model::ParseEncoderConfig(roberta, "config.json", &config);
  CHECK(!status.ok() && status.message().find("pad_token_id -5") != std::string::npos) << status.message();
  // Invalid JSON names the file.
  status = sk::model::ParseEncoderConfig("{\"model_type\": ", "models/x/config.json", &config);
  CHECK(!status.ok() && status.code() == sk::StatusCode::kModelLoad && status.message().find("models/x/config.json") == 0) << status.message();
}

TEST(hostile_layer_count_allocates_nothing_before_the_file_proves_it) {
  // num_hidden_layers 2^31 - 1 sized a vector of layers before any was read.
  MicroModel model = ReadMicroBert();
  model.config = sktest::ReplaceFirst(model.config, "\"num_hidden_layers\": 1", "\"num_hidden_layers\": 2147483647");
  std::unique_ptr<sk::cpu::CpuEncoder> engine;
  const sk::Status status = LoadEngine(model, "layers", &engine);
  CHECK(!status.ok() && status.message().find("encoder.layer.1.") != std::string::npos) << status.message();
}

TEST(hostile_nan_and_infinite_weights_load_and_run_without_undefined_casts) {
  // A NaN weight reached static_cast<int8_t>(NaN) in the int8 engine's weight quantization, and
  // the activations it spreads reached the same cast per token.
  MicroModel model = ReadMicroBert();
  sk::model::SafetensorsFile file;
  CHECK(file.Parse(model.weights, "model.safetensors").ok());
  uint64_t header = 0;
  std::memcpy(&header, model.weights.data(), 8);
  const float poison[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
  for (const char* name : {"encoder.layer.0.attention.self.query.weight", "embeddings.word_embeddings.weight"}) {
    const sk::model::SafetensorsEntry* entry = file.Find(name);
    CHECK(entry != nullptr) << name;
    if (entry != nullptr) std::memcpy(model.weights.data() + 8 + header + entry->begin, poison, sizeof(poison));
  }
  std::unique_ptr<sk::cpu::CpuEncoder> engine;
  const sk::Status loaded = LoadEngine(model, "nan", &engine);
  CHECK(loaded.ok()) << loaded.message();
  if (!loaded.ok()) return;
  const std::vector<int32_t> ids = {0, 1, 2, 3}, offsets = {0, 4};
  const float* hidden = nullptr;
  const sk::Status ran = engine->Forward({ids.data(), nullptr, offsets.data(), 1}, 0, false, &hidden);
  CHECK(ran.ok()) << ran.message();
}

TEST(hostile_charsmap_replacement_longer_than_any_rule_is_refused) {
  // A one-node trie (no key matches) and a 300-byte replacement string: a charsmap mapping a
  // letter to hundreds of kilobytes made a short text normalize into gigabytes.
  const uint32_t units[] = {0};
  std::string blob(4, '\0');
  const uint32_t trie_bytes = sizeof(units);
  std::memcpy(blob.data(), &trie_bytes, 4);
  blob.append(reinterpret_cast<const char*>(units), sizeof(units));
  sk::tok::PrecompiledCharsmap charsmap;
  CHECK(charsmap.Init(blob + std::string(33, 'x') + '\0').ok()) << "NFKC's longest replacement is 33 bytes";
  const sk::Status status = charsmap.Init(blob + std::string(300, 'x') + '\0');
  CHECK(!status.ok() && status.message().find("300 bytes") != std::string::npos) << status.message();
  // A trie of 0 bytes was copied with memcpy into the empty table's null data (undefined).
  const sk::Status empty = charsmap.Init(std::string(4, '\0') + "abc");
  CHECK(!empty.ok() && empty.message().find("empty trie") != std::string::npos) << empty.message();
}

TEST(hostile_vocabulary_id_far_past_the_rest_allocates_no_table_for_it) {
  // The tokenizer fuzz target's find: one vocab id of 233,000,000 sized the id -> token table
  // to that many strings (7 GB). tokenizers keeps a map and takes any u32 id; so does the table
  // now. Past u32 tokenizers refuses the file ("invalid value ... expected u32"), and so do we.
  const std::string json = R"({"pre_tokenizer": {"type": "WhitespaceSplit"},
      "model": {"type": "WordPiece", "unk_token": "[UNK]",
                "vocab": {"[UNK]": 0, "hello": 233000000, "world": 1, "again": 4294967295}}})";
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  const sk::Status status = sk::tok::Tokenizer::FromJson(json, &tokenizer);
  CHECK(status.ok()) << status.message();
  if (!status.ok()) return;
  sk::tok::Encoding encoding;
  CHECK(tokenizer->Encode("hello world again", {}, &encoding).ok());
  CHECK((encoding.ids == std::vector<int64_t>{233000000, 1, 4294967295})) << encoding.ids.size();
  std::string text;
  CHECK(tokenizer->Decode(encoding.ids, false, &text).ok());
  CHECK(text == "hello world again") << text;

  const sk::Status past_u32 =
      sk::tok::Tokenizer::FromJson(sktest::ReplaceFirst(json, "4294967295", "4294967296"), &tokenizer);
  CHECK(!past_u32.ok() && past_u32.code() == sk::StatusCode::kTokenizer) << past_u32.message();
  CHECK(past_u32.message().find("'again'") != std::string::npos) << past_u32.message();
}
