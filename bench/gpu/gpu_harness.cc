// Drives the CUDA engine without node, for the GPU check (bench/gpu/run.sh): our tokenizer
// (tokenizer.json) + libsentencekit_cuda.so, on a model folder in the sentence-transformers
// layout.
//
//   sentencekit_gpu_harness info
//   sentencekit_gpu_harness encode <model> <texts.txt> <fp32|fp16|bf16> <out.f32>
//       embeddings as the model's pooling + normalize give them, float32 rows, in input order
//   sentencekit_gpu_harness predict <cross-encoder> <pairs.tsv> <fp32|fp16|bf16> <out.f32>
//       the classification head's raw logits [pairs, labels] for "first<TAB>second" lines
//   sentencekit_gpu_harness splade <sparse-encoder> <texts.txt> <fp32|fp16|bf16> <out.f32>
//       dense SPLADE weights [texts, vocab] (masked-LM head + max of log1p(relu) on the device)
//   sentencekit_gpu_harness bench <model> <texts.txt> <fp32|fp16|bf16> <max_batch_tokens> <out.json>
//       throughput with tokenization on all host cores while the GPU runs, then the latency of
//       one short query (tokenize + run + copy back), p50/p90 over 300 runs
//
// texts.txt holds one text per line. SENTENCEKIT_CUDA_LIBRARY_DIR overrides where the engine is.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/file_util.h"
#include "core/json.h"
#include "runtime/cuda_backend.h"
#include "tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string LibraryDir() {
  const char* dir = std::getenv("SENTENCEKIT_CUDA_LIBRARY_DIR");
  return dir != nullptr && *dir != '\0' ? dir : SENTENCEKIT_CUDA_LIBRARY_DIR;
}

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "sentencekit_gpu_harness: " << message << "\n";
  std::exit(1);
}

void Require(const sk::Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + sk::StatusCodeName(status.code()) + ": " + status.message());
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

const sk::JsonValue* Member(const sk::JsonValue& object, const char* key) { return object.Find(key); }

// What the model folder says about pooling, normalization and length (sentence-transformers'
// modules.json, 1_Pooling/config.json in either schema, sentence_bert_config.json).
struct ModelSetup {
  SkCudaPooling pooling = SK_CUDA_POOL_MEAN;
  bool normalize = false;
  size_t max_length = 512;
  bool lowercase = false;
};

ModelSetup ReadSetup(const std::string& dir) {
  ModelSetup setup;
  std::string text;
  sk::JsonValue json;
  if (sk::ReadWholeFile(dir + "/sentence_bert_config.json", &text).ok() && sk::JsonValue::Parse(text, &json).ok()) {
    if (const auto* v = Member(json, "max_seq_length"); v != nullptr && v->is_integer()) setup.max_length = v->integer();
    if (const auto* v = Member(json, "do_lower_case"); v != nullptr && v->is_bool()) setup.lowercase = v->bool_value();
  }
  if (sk::ReadWholeFile(dir + "/modules.json", &text).ok() && sk::JsonValue::Parse(text, &json).ok() && json.is_array()) {
    for (const auto& module : json.array()) {
      const auto* type = Member(module, "type");
      if (type != nullptr && type->is_string() && type->string().find("Normalize") != std::string::npos) setup.normalize = true;
      if (type != nullptr && type->is_string() && type->string().find("Dense") != std::string::npos) {
        Die(dir + " has a Dense module, which the harness does not apply");
      }
    }
  }
  if (sk::ReadWholeFile(dir + "/1_Pooling/config.json", &text).ok() && sk::JsonValue::Parse(text, &json).ok()) {
    std::string mode;
    if (const auto* v = Member(json, "pooling_mode"); v != nullptr && v->is_string()) mode = v->string();
    const std::pair<const char*, const char*> legacy[] = {
        {"pooling_mode_cls_token", "cls"}, {"pooling_mode_max_tokens", "max"},
        {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"}, {"pooling_mode_weightedmean_tokens", "weightedmean"},
        {"pooling_mode_lasttoken", "lasttoken"}, {"pooling_mode_mean_tokens", "mean"}};
    for (const auto& [key, name] : legacy) {
      if (const auto* v = Member(json, key); mode.empty() && v != nullptr && v->is_bool() && v->bool_value()) mode = name;
    }
    if (mode == "cls") setup.pooling = SK_CUDA_POOL_CLS;
    else if (mode == "max") setup.pooling = SK_CUDA_POOL_MAX;
    else if (mode == "mean_sqrt_len_tokens") setup.pooling = SK_CUDA_POOL_MEAN_SQRT_LEN;
    else if (mode == "weightedmean") setup.pooling = SK_CUDA_POOL_WEIGHTED_MEAN;
    else if (mode == "lasttoken") setup.pooling = SK_CUDA_POOL_LAST_TOKEN;
    else setup.pooling = SK_CUDA_POOL_MEAN;
  }
  return setup;
}

SkCudaDtype ParseDtype(const std::string& name) {
  if (name == "fp32") return SK_CUDA_DTYPE_FLOAT32;
  if (name == "fp16") return SK_CUDA_DTYPE_FLOAT16;
  if (name == "bf16") return SK_CUDA_DTYPE_BFLOAT16;
  Die("dtype must be fp32, fp16 or bf16, not " + name);
}

struct Loaded {
  ModelSetup setup;
  std::unique_ptr<sk::tok::Tokenizer> tokenizer;
  std::unique_ptr<sk::runtime::CudaEncoder> engine;
};

Loaded Load(const std::string& dir, SkCudaDtype dtype, size_t max_tokens) {
  Loaded loaded;
  loaded.setup = ReadSetup(dir);
  Require(sk::tok::Tokenizer::FromFile(dir + "/tokenizer.json", &loaded.tokenizer, loaded.setup.lowercase), "tokenizer");
  sk::runtime::CudaEncoderOptions options;
  options.library_dir = LibraryDir();
  options.model_dir = dir;
  options.dtype = dtype;
  options.max_tokens = max_tokens;
  Require(sk::runtime::CudaEncoder::Load(options, &loaded.engine), "loading " + dir);
  return loaded;
}

// A packed batch of texts [begin, end) of one tokenized chunk.
struct Packed {
  std::vector<int32_t> ids, types, cu{0};
  std::vector<size_t> rows;  // input index of each sequence
};

void Append(const sk::tok::Encoding& encoding, size_t row, Packed* batch) {
  for (size_t i = 0; i < encoding.ids.size(); ++i) {
    batch->ids.push_back(static_cast<int32_t>(encoding.ids[i]));
    batch->types.push_back(encoding.type_ids.empty() ? 0 : static_cast<int32_t>(encoding.type_ids[i]));
  }
  batch->cu.push_back(static_cast<int32_t>(batch->ids.size()));
  batch->rows.push_back(row);
}

// Runs `texts` through tokenizer threads and the GPU at once: workers tokenize chunks and cut
// them into packed batches of at most max_batch_tokens; this thread feeds the GPU as batches
// arrive, so the host cores tokenize while the device computes. Unpadded batches need no
// sorting by length. Returns the embeddings in input order.
std::vector<float> EncodeAll(const Loaded& model, const std::vector<std::string>& texts, size_t max_batch_tokens,
                             int threads) {
  const int hidden = model.engine->info().hidden_size;
  std::vector<float> out(texts.size() * hidden);
  constexpr size_t kChunk = 1024;
  const size_t chunks = (texts.size() + kChunk - 1) / kChunk;
  std::atomic<size_t> next_chunk{0};
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<Packed> queue;
  size_t workers_done = 0;
  std::string worker_error;
  sk::tok::EncodeOptions options;
  options.max_length = model.setup.max_length;

  auto worker = [&] {
    sk::tok::Encoding encoding;
    for (size_t chunk; (chunk = next_chunk.fetch_add(1)) < chunks;) {
      std::vector<Packed> made(1);
      for (size_t row = chunk * kChunk; row < std::min(texts.size(), (chunk + 1) * kChunk); ++row) {
        const sk::Status status = model.tokenizer->Encode(texts[row], options, &encoding);
        if (!status.ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          worker_error = status.message();
          break;
        }
        if (!made.back().rows.empty() && made.back().ids.size() + encoding.ids.size() > max_batch_tokens) made.emplace_back();
        Append(encoding, row, &made.back());
      }
      std::lock_guard<std::mutex> lock(mutex);
      for (Packed& batch : made) {
        if (!batch.rows.empty()) queue.push_back(std::move(batch));
      }
      ready.notify_one();
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++workers_done;
    ready.notify_one();
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);

  std::vector<float> pooled;
  for (;;) {
    Packed batch;
    {
      std::unique_lock<std::mutex> lock(mutex);
      ready.wait(lock, [&] { return !queue.empty() || workers_done == pool.size(); });
      if (queue.empty()) break;
      batch = std::move(queue.front());
      queue.pop_front();
    }
    pooled.resize(batch.rows.size() * hidden);
    Require(model.engine->EncodePooled(batch.ids, batch.types, batch.cu, model.setup.pooling, model.setup.normalize, 0,
                                       pooled.data()), "encoding");
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      std::memcpy(out.data() + batch.rows[r] * hidden, pooled.data() + r * hidden, hidden * sizeof(float));
    }
  }
  for (std::thread& thread : pool) thread.join();
  if (!worker_error.empty()) Die("tokenizer: " + worker_error);
  return out;
}

int HostThreads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 2 ? static_cast<int>(cores) - 1 : 1;  // one core feeds the GPU
}

int Info() {
  SkCudaDeviceInfo info{};
  const sk::Status status = sk::runtime::ProbeCuda(LibraryDir(), 0, &info);
  if (!status.ok()) {
    std::cout << "CUDA unavailable: " << status.message() << "\n";
    return 2;
  }
  std::cout << "{\"device\": \"" << info.device_name << "\", \"compute_capability\": " << info.compute_capability
            << ", \"memory_mib\": " << (info.total_memory_bytes >> 20) << ", \"runtime\": " << info.runtime_version
            << ", \"driver\": " << info.driver_version << ", \"cublaslt\": " << info.cublaslt_version << "}\n";
  return 0;
}

int Encode(const std::string& dir, const std::string& texts_path, const std::string& dtype, const std::string& out_path) {
  const std::vector<std::string> texts = ReadLines(texts_path);
  const size_t budget = 16384;
  Loaded model = Load(dir, ParseDtype(dtype), budget);
  const std::vector<float> out = EncodeAll(model, texts, budget, HostThreads());
  FILE* file = std::fopen(out_path.c_str(), "wb");
  if (file == nullptr || std::fwrite(out.data(), sizeof(float), out.size(), file) != out.size()) Die("cannot write " + out_path);
  std::fclose(file);
  std::cout << "encoded " << texts.size() << " texts (" << model.engine->info().hidden_size << " dims) into " << out_path
            << "\n";
  return 0;
}

// Cross-encoder logits: each line's pair tokenized as one sequence (EncodePair, truncated to the
// folder's max_seq_length), packed, and run through the encoder and its classification head.
int Predict(const std::string& dir, const std::string& pairs_path, const std::string& dtype, const std::string& out_path) {
  const std::vector<std::string> lines = ReadLines(pairs_path);
  const size_t budget = 16384;
  Loaded model = Load(dir, ParseDtype(dtype), budget);
  const int labels = model.engine->info().num_labels;
  if (labels <= 0) Die(dir + " has no classification head the engine runs");
  sk::tok::EncodeOptions options;
  options.max_length = model.setup.max_length;
  std::vector<float> out(lines.size() * labels), logits;
  Packed batch;
  auto flush = [&] {
    if (batch.rows.empty()) return;
    logits.resize(batch.rows.size() * labels);
    Require(model.engine->EncodeLogits(batch.ids, batch.types, batch.cu, logits.data()), "predict");
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      std::copy_n(logits.data() + r * labels, labels, out.data() + batch.rows[r] * labels);
    }
    batch = Packed();
  };
  sk::tok::Encoding encoding;
  for (size_t row = 0; row < lines.size(); ++row) {
    const size_t tab = lines[row].find('\t');
    if (tab == std::string::npos) Die(pairs_path + ": line " + std::to_string(row + 1) + " has no tab");
    Require(model.tokenizer->EncodePair(lines[row].substr(0, tab), lines[row].substr(tab + 1), options, &encoding),
            "tokenizing");
    if (!batch.rows.empty() && (batch.rows.size() >= 64 || batch.ids.size() + encoding.ids.size() > budget)) flush();
    Append(encoding, row, &batch);
  }
  flush();
  FILE* file = std::fopen(out_path.c_str(), "wb");
  if (file == nullptr || std::fwrite(out.data(), sizeof(float), out.size(), file) != out.size()) Die("cannot write " + out_path);
  std::fclose(file);
  std::cout << "predicted " << lines.size() << " pairs (" << labels << " labels) into " << out_path << "\n";
  return 0;
}

// SPLADE weights of each text, dense [texts, vocab], in input order.
int Splade(const std::string& dir, const std::string& texts_path, const std::string& dtype, const std::string& out_path) {
  const std::vector<std::string> texts = ReadLines(texts_path);
  const size_t budget = 16384;
  Loaded model = Load(dir, ParseDtype(dtype), budget);
  if (model.engine->info().has_mlm_head == 0) Die(dir + " has no masked-LM head the engine runs");
  const size_t vocab = static_cast<size_t>(model.engine->info().vocab_size);
  sk::tok::EncodeOptions options;
  options.max_length = model.setup.max_length;
  std::vector<float> out(texts.size() * vocab), weights;
  Packed batch;
  auto flush = [&] {
    if (batch.rows.empty()) return;
    weights.resize(batch.rows.size() * vocab);
    Require(model.engine->EncodeSplade(batch.ids, batch.types, batch.cu, false, weights.data()), "splade");
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      std::copy_n(weights.data() + r * vocab, vocab, out.data() + batch.rows[r] * vocab);
    }
    batch = Packed();
  };
  sk::tok::Encoding encoding;
  for (size_t row = 0; row < texts.size(); ++row) {
    Require(model.tokenizer->Encode(texts[row], options, &encoding), "tokenizing");
    if (!batch.rows.empty() && (batch.rows.size() >= 32 || batch.ids.size() + encoding.ids.size() > budget)) flush();
    Append(encoding, row, &batch);
  }
  flush();
  FILE* file = std::fopen(out_path.c_str(), "wb");
  if (file == nullptr || std::fwrite(out.data(), sizeof(float), out.size(), file) != out.size()) Die("cannot write " + out_path);
  std::fclose(file);
  std::cout << "SPLADE weights of " << texts.size() << " texts (" << vocab << " entries each) into " << out_path << "\n";
  return 0;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5))];
}

int Bench(const std::string& dir, const std::string& texts_path, const std::string& dtype, size_t budget,
          const std::string& out_path) {
  const std::vector<std::string> texts = ReadLines(texts_path);
  Loaded model = Load(dir, ParseDtype(dtype), budget);
  const int threads = HostThreads();
  // Warm-up: plans, allocations and clocks settle on a slice first.
  const std::vector<std::string> warm(texts.begin(), texts.begin() + std::min<size_t>(texts.size(), 4096));
  EncodeAll(model, warm, budget, threads);
  const auto start = Clock::now();
  const std::vector<float> out = EncodeAll(model, texts, budget, threads);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double checksum = 0;
  for (size_t i = 0; i < out.size(); i += 97) checksum += out[i];

  // One short query, end to end as a caller sees it: tokenize, pack, run, copy back.
  const std::string query = "what is the capital of france";
  sk::tok::EncodeOptions options;
  options.max_length = model.setup.max_length;
  std::vector<double> latencies;
  std::vector<float> row(model.engine->info().hidden_size);
  for (int i = 0; i < 330; ++i) {
    const auto t0 = Clock::now();
    sk::tok::Encoding encoding;
    Require(model.tokenizer->Encode(query, options, &encoding), "tokenizer");
    Packed batch;
    Append(encoding, 0, &batch);
    Require(model.engine->EncodePooled(batch.ids, batch.types, batch.cu, model.setup.pooling, model.setup.normalize, 0,
                                       row.data()), "query");
    if (i >= 30) latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::ofstream json(out_path);
  json << "{\"model\": \"" << dir << "\", \"dtype\": \"" << dtype << "\", \"sentences\": " << texts.size()
       << ", \"max_batch_tokens\": " << budget << ", \"tokenizer_threads\": " << threads << ", \"seconds\": " << seconds
       << ", \"sentences_per_second\": " << texts.size() / seconds << ", \"query_p50_ms\": " << Percentile(latencies, 0.5)
       << ", \"query_p90_ms\": " << Percentile(latencies, 0.9) << ", \"checksum\": " << checksum << "}\n";
  std::cout << dir << " " << dtype << ": " << texts.size() / seconds << " sentences/s (" << seconds << " s, budget "
            << budget << " tokens, " << threads << " tokenizer threads); query p50 " << Percentile(latencies, 0.5)
            << " ms, p90 " << Percentile(latencies, 0.9) << " ms\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "info") return Info();
  if (args.size() == 5 && args[0] == "encode") return Encode(args[1], args[2], args[3], args[4]);
  if (args.size() == 5 && args[0] == "predict") return Predict(args[1], args[2], args[3], args[4]);
  if (args.size() == 5 && args[0] == "splade") return Splade(args[1], args[2], args[3], args[4]);
  if (args.size() == 6 && args[0] == "bench") {
    return Bench(args[1], args[2], args[3], static_cast<size_t>(std::stoul(args[4])), args[5]);
  }
  std::cerr << "usage: sentencekit_gpu_harness info | encode <model> <texts> <dtype> <out.f32> | "
               "predict <cross-encoder> <pairs.tsv> <dtype> <out.f32> | splade <sparse-encoder> <texts> <dtype> <out.f32> | bench <model> <texts> <dtype> <max_batch_tokens> <out.json>\n";
  return 2;
}
