// The native side of the static benchmark: loads a StaticEmbedding model folder's files
// through pipeline::StaticEmbeddingModel and times, on the same texts, (a) the whole encode
// (tokenize + gather-and-mean, split over the shared thread pool as encode() does), once with
// the chunk cache empty (the first run) and then best of --repeat, (b) the tokenizer alone as
// encode() runs it (static_tokenizer.h), split the same way, so the tokenizer's share of the
// encode is measured, not guessed, and (c) the tokenizer's full Encode for comparison. Prints
// one JSON line.
//
//   static_bench --tokenizer T --weights W --texts corpus.json [--repeat 5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "core/json.h"
#include "core/thread_pool.h"
#include "pipeline/static_embedding.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string tokenizer, weights, texts_path;
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tokenizer") == 0) tokenizer = argv[i + 1];
    else if (std::strcmp(argv[i], "--weights") == 0) weights = argv[i + 1];
    else if (std::strcmp(argv[i], "--texts") == 0) texts_path = argv[i + 1];
    else if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  std::string json;
  sk::JsonValue parsed;
  if (!sk::ReadWholeFile(texts_path, &json).ok() || !sk::JsonValue::Parse(json, &parsed).ok()) Fail("cannot read " + texts_path);
  std::vector<std::string> texts;
  for (const sk::JsonValue& text : parsed.array()) texts.push_back(text.string());

  sk::pipeline::StaticEmbeddingFiles files;
  files.tokenizer_path = tokenizer;
  files.weights_path = weights;
  std::unique_ptr<sk::pipeline::StaticEmbeddingModel> model;
  sk::Status status = sk::pipeline::StaticEmbeddingModel::Load(files, &model);
  if (!status.ok()) Fail(status.message());

  std::vector<float> out(texts.size() * model->dimension());
  double cold_encode = 0, encode = 1e30, tokenize = 1e30, full_tokenize = 1e30;
  size_t tokens = 0;
  sk::ThreadPool& pool = sk::ThreadPool::Shared();
  for (int r = 0; r < repeat + 1; ++r) {  // the first run warms caches and the pool
    Clock::time_point start = Clock::now();
    status = model->Encode(texts, {}, out.data());
    if (!status.ok()) Fail(status.message());
    if (r == 0) cold_encode = Seconds(start);
    else encode = std::min(encode, Seconds(start));

    // The tokenizer alone, split as Encode splits it (256 texts per task): the ids path encode()
    // takes, then the tokenizer's full Encode (special tokens off) for comparison.
    constexpr size_t kPerTask = 256;
    const size_t tasks = (texts.size() + kPerTask - 1) / kPerTask;
    std::vector<sk::tok::Encoding> encodings(pool.size());
    std::vector<std::vector<int64_t>> ids(pool.size());
    std::vector<size_t> counts(tasks);
    start = Clock::now();
    pool.ParallelFor(tasks, [&](size_t task, size_t slot) {
      size_t count = 0;
      for (size_t i = task * kPerTask; i < std::min(texts.size(), (task + 1) * kPerTask); ++i) {
        if (!model->static_tokenizer().Ids(texts[i], &encodings[slot], &ids[slot]).ok()) std::abort();
        count += ids[slot].size();
      }
      counts[task] = count;
    });
    if (r > 0) tokenize = std::min(tokenize, Seconds(start));
    start = Clock::now();
    pool.ParallelFor(tasks, [&](size_t task, size_t slot) {
      for (size_t i = task * kPerTask; i < std::min(texts.size(), (task + 1) * kPerTask); ++i) {
        if (!model->tokenizer().Encode(texts[i], model->encode_options(), &encodings[slot]).ok()) std::abort();
      }
    });
    if (r > 0) full_tokenize = std::min(full_tokenize, Seconds(start));
    tokens = 0;
    for (size_t count : counts) tokens += count;
  }
  std::printf("{\"texts\": %zu, \"tokens\": %zu, \"threads\": %zu, \"chunked\": %s, \"cold_encode_seconds\": %.6f, \"encode_seconds\": %.6f, "
              "\"tokenize_seconds\": %.6f, \"full_tokenize_seconds\": %.6f}\n",
              texts.size(), tokens, pool.size(), model->static_tokenizer().chunked() ? "true" : "false", cold_encode, encode, tokenize,
              full_tokenize);
  return 0;
}
