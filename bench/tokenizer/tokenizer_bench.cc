// The native side of the tokenizer benchmark: encodes the fixture corpus
// (test/fixtures/tokenizers/corpus.bin, 20,000 generated lines) with each fixture
// tokenizer.json, one text at a time on one thread, and as a batch split over --threads
// threads. Prints one JSON object: per family, texts/s and tokens/s (best of --repeat runs).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/file_util.h"
#include "tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<std::string> ReadCorpus(const std::string& path) {
  std::string bytes;
  sk::Status status = sk::ReadWholeFile(path, &bytes);
  if (!status.ok() || bytes.compare(0, 4, "SKTC") != 0) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  size_t pos = 4;
  auto word = [&] {
    uint32_t value = 0;
    std::memcpy(&value, bytes.data() + pos, 4);
    pos += 4;
    return value;
  };
  std::vector<std::string> lines(word());
  for (std::string& line : lines) {
    const uint32_t length = word();
    line = bytes.substr(pos, length);
    pos += length;
  }
  return lines;
}

// Encodes lines[begin, end) one by one; returns the token count.
size_t EncodeRange(const sk::tok::Tokenizer& tokenizer, const std::vector<std::string>& lines, size_t begin,
                   size_t end) {
  sk::tok::EncodeOptions options;
  sk::tok::Encoding encoding;
  size_t tokens = 0;
  for (size_t i = begin; i < end; ++i) {
    if (!tokenizer.Encode(lines[i], options, &encoding).ok()) std::abort();
    tokens += encoding.ids.size();
  }
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  std::string fixtures = "test/fixtures/tokenizers";
  int repeat = 5;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::string only;  // --family: one family only (for profiling)
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--fixtures") == 0) fixtures = argv[i + 1];
    else if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--threads") == 0) threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--family") == 0) only = argv[i + 1];
  }
  const std::vector<std::string> lines = ReadCorpus(fixtures + "/corpus.bin");
  size_t bytes = 0;
  for (const std::string& line : lines) bytes += line.size();

  std::printf("{\"texts\": %zu, \"bytes\": %zu, \"threads\": %u, \"families\": {", lines.size(), bytes, threads);
  const char* families[] = {"bert", "mpnet", "roberta", "xlmr"};
  bool first = true;
  for (size_t f = 0; f < 4; ++f) {
    if (!only.empty() && only != families[f]) continue;
    std::unique_ptr<sk::tok::Tokenizer> tokenizer;
    const auto load_start = Clock::now();
    sk::Status status = sk::tok::Tokenizer::FromFile(fixtures + "/" + families[f] + "/tokenizer.json", &tokenizer);
    const double load_s = Seconds(load_start);
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.message().c_str());
      return 1;
    }
    double single_best = 1e30, batch_best = 1e30;
    size_t tokens = 0;
    for (int r = 0; r < repeat; ++r) {
      auto start = Clock::now();
      tokens = EncodeRange(*tokenizer, lines, 0, lines.size());
      single_best = std::min(single_best, Seconds(start));

      start = Clock::now();
      std::vector<std::thread> workers;
      const size_t chunk = (lines.size() + threads - 1) / threads;
      for (unsigned t = 0; t < threads; ++t) {
        const size_t begin = std::min(lines.size(), t * chunk);
        const size_t end = std::min(lines.size(), begin + chunk);
        workers.emplace_back([&, begin, end] { EncodeRange(*tokenizer, lines, begin, end); });
      }
      for (std::thread& worker : workers) worker.join();
      batch_best = std::min(batch_best, Seconds(start));
    }
    std::printf("%s\"%s\": {\"tokens\": %zu, \"load_s\": %.4f, \"single_texts_per_s\": %.0f, "
                "\"single_tokens_per_s\": %.0f, \"batch_texts_per_s\": %.0f, \"batch_tokens_per_s\": %.0f}",
                first ? "" : ", ", families[f], tokens, load_s, lines.size() / single_best, tokens / single_best,
                lines.size() / batch_best, tokens / batch_best);
    std::fflush(stdout);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
