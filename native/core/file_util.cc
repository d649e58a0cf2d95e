#include "core/file_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sk {

Status ReadWholeFile(const std::string& path, std::string* out, StatusCode error_code) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status(error_code, "cannot open " + path + ": " + std::strerror(errno));
  }
  out->clear();
  char buffer[1 << 16];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), file)) > 0) out->append(buffer, read);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Status(error_code, "cannot read " + path);
  return Status::Ok();
}

}  // namespace sk
