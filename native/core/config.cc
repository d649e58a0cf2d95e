#include "core/config.h"

#include <cstdlib>

namespace sk {
namespace {

constexpr const char* kNames[] = {"SENTENCEKIT_CPU_LEVEL",   "SENTENCEKIT_AMX",          "SENTENCEKIT_THREADS",
                                  "SENTENCEKIT_COMPUTE_NICE", "SENTENCEKIT_ORT_LIBRARY", "SENTENCEKIT_CUDA_LIBRARY",
                                  "SENTENCEKIT_CUBLASLT_LIBRARY", "SENTENCEKIT_CUDA_SYNC_CHECK"};

struct Read {
  Config config;
  std::vector<ConfigVariable> set;
};

const Read& ReadOnce() {
  static const Read read = [] {
    Read r;
    auto value = [&r](const char* name) -> std::string {
      const char* raw = std::getenv(name);
      if (raw == nullptr) return {};
      r.set.push_back({name, raw});
      return raw;
    };
    // In kNames' order, so the report lists them as the table does.
    r.config.cpu_level = value(kNames[0]);
    r.config.amx = value(kNames[1]) != "0";
    const long threads = std::strtol(value(kNames[2]).c_str(), nullptr, 10);
    r.config.threads = threads > 0 ? static_cast<size_t>(threads) : 0;
    const int nice = std::atoi(value(kNames[3]).c_str());
    r.config.compute_nice = nice < 0 ? 0 : (nice > 19 ? 19 : nice);
    r.config.ort_library = value(kNames[4]);
    r.config.cuda_library = value(kNames[5]);
    r.config.cublaslt_library = value(kNames[6]);
    const std::string sync = value(kNames[7]);
    r.config.cuda_sync_check = !sync.empty() && sync[0] != '0';
    return r;
  }();
  return read;
}

}  // namespace

const Config& GetConfig() { return ReadOnce().config; }

std::vector<ConfigVariable> ConfigVariablesSet() { return ReadOnce().set; }

}  // namespace sk
