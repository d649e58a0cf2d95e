// A stand-in for libFuzzer where only g++ is available: feeds LLVMFuzzerTestOneInput random
// inputs for a bounded time: random bytes, random UTF-8 text, and seed files (a tokenizer.json
// per fixture) with random byte edits, so the JSON reader and every component see damaged
// documents. Usage: tokenizer_fuzz_random <seconds> [seed files...]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60;
  std::vector<std::string> seeds;
  for (int i = 2; i < argc; ++i) {
    std::ifstream file(argv[i], std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    seeds.push_back(std::string(1, '\0') + text.str());  // first byte 0: a tokenizer.json document
  }
  const char* alphabet[] = {"a", "Z", " ", "\t", "\n", "'", "s", "\xC3\xA9", "\xE2\x96\x81", "\xE4\xBD\xA0", "\xF0\x9F\x98\x80",
                            "\xCC\x81", "<s>", "[CLS]", "<mask>", "\xFF", "\xC3", "\xED\xA0\x80", "1", ".", "\xE2\x80\x8D"};
  std::mt19937_64 rng(12345);
  const auto start = std::chrono::steady_clock::now();
  uint64_t runs = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
    std::string input;
    const int kind = static_cast<int>(rng() % 4);
    if (kind == 0 && !seeds.empty()) {
      input = seeds[rng() % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits; ++e) {
        const size_t pos = 1 + rng() % (input.size() - 1);
        switch (rng() % 3) {
          case 0: input[pos] = static_cast<char>(rng()); break;
          case 1: input.erase(pos, 1 + rng() % 16); break;
          default: input.insert(pos, std::string(1 + rng() % 4, static_cast<char>(rng()))); break;
        }
      }
    } else if (kind == 1) {
      input.push_back(static_cast<char>(1 + rng() % 3));
      const size_t length = rng() % 300;
      for (size_t i = 0; i < length; ++i) input += alphabet[rng() % (sizeof(alphabet) / sizeof(alphabet[0]))];
    } else {
      const size_t length = rng() % 200;
      for (size_t i = 0; i < length; ++i) input.push_back(static_cast<char>(rng()));
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    ++runs;
  }
  std::printf("%llu inputs in %.0f s, no crash\n", static_cast<unsigned long long>(runs), seconds);
  return 0;
}
