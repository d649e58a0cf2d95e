// model::SafetensorsFile::OpenWithTable: a file of another format (pytorch_model.bin) read
// through a safetensors header built elsewhere (lib/torch-checkpoint.ts), whose offsets count
// from the file's first byte; entries past the file's end or of an unreadable dtype are
// ERR_MODEL_LOAD, as in a safetensors file.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "core/file_util.h"
#include "model/safetensors_file.h"

namespace {

// A file of `bytes` under the temp folder, removed when the test ends.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/sentencekit-table-XXXXXX";
    const int fd = mkstemp(name);
    path = name;
    if (fd >= 0) {
      CHECK(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
      close(fd);
    }
  }
  ~TempFile() { unlink(path.c_str()); }
};

}  // namespace

TEST(safetensors_table_reads_tensors_at_file_offsets_and_refuses_entries_past_the_end) {
  // 16 bytes of anything (a zip header, say), three floats, one int64, a tail.
  std::string bytes(16, 'z');
  const float values[3] = {1.5f, -2.0f, 0.25f};
  bytes.append(reinterpret_cast<const char*>(values), sizeof(values));
  const int64_t id = 7;
  bytes.append(reinterpret_cast<const char*>(&id), sizeof(id));
  bytes.append("tail");
  const TempFile file(bytes);

  sk::model::SafetensorsFile table;
  const sk::Status opened = table.OpenWithTable(
      file.path, R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [16, 28]},
                     "position_ids": {"dtype": "I64", "shape": [1, 1], "data_offsets": [28, 36]}})");
  CHECK(opened.ok()) << opened.message();
  std::vector<float> read;
  const sk::Status status = table.ReadFloat32("w", {3}, &read);
  CHECK(status.ok()) << status.message();
  CHECK(read == std::vector<float>(values, values + 3));
  const sk::Status ints = table.ReadFloat32("position_ids", {1, 1}, &read);
  CHECK(!ints.ok() && ints.message().find("unsupported dtype I64") != std::string::npos) << ints.message();

  // The file changed (or the table lies): an entry past its end is refused before any read.
  sk::model::SafetensorsFile past;
  const sk::Status outside = past.OpenWithTable(file.path, R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [32, 44]}})");
  CHECK(!outside.ok() && outside.message().find("lies outside the file") != std::string::npos) << outside.message();
  CHECK(outside.code() == sk::StatusCode::kModelLoad);
  sk::model::SafetensorsFile garbage;
  CHECK(!garbage.OpenWithTable(file.path, "not json").ok());
  sk::model::SafetensorsFile missing;
  CHECK(!missing.OpenWithTable(file.path + ".missing", "{}").ok());
}
