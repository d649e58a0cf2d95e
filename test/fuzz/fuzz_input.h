// Helpers shared by the parser fuzz targets: splitting one libFuzzer input into several files'
// bytes, and writing bytes where a reader that only takes a path can open them.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace skfuzz {

// Splits `input` at its first occurrence of `separator` (the corpus files keep the parts
// readable); without one the whole input is the first part and the second is empty.
inline std::pair<std::string_view, std::string_view> SplitAt(std::string_view input, std::string_view separator) {
  const size_t at = input.find(separator);
  if (at == std::string_view::npos) return {input, {}};
  return {input.substr(0, at), input.substr(at + separator.size())};
}

// A folder of this process's own under /dev/shm (or TMPDIR), made once.
inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
    std::string path = std::string(base) + "/sentencekit-fuzz-" + std::to_string(getpid());
    std::string command = "mkdir -p '" + path + "'";
    if (std::system(command.c_str()) != 0) std::abort();
    return path;
  }();
  return dir;
}

inline void WriteFile(const std::string& path, std::string_view bytes) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) std::abort();
  std::fclose(file);
}

}  // namespace skfuzz
