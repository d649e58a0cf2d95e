// A model.safetensors file read into memory: its tensor table, and any tensor widened to
// float32 (the engine converts to its compute type on the device).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sk::model {

struct SafetensorsEntry {
  std::string dtype;  // "F32", "F16", "BF16"
  std::vector<int64_t> shape;
  size_t begin = 0;   // byte offsets into the data section
  size_t end = 0;
};

class SafetensorsFile {
 public:
  Status Open(const std::string& path);
  // The same over a file's bytes already in memory; `path` names it in errors.
  Status Parse(std::string bytes, const std::string& path);
  // A file of another format whose tensors a reader elsewhere has located (a torch.save
  // checkpoint, read by lib/torch-checkpoint.ts): `table` is a safetensors header whose
  // data_offsets count from the file's first byte. The bounds are checked against the file
  // read here, so a file changed in between fails rather than reads past its end.
  Status OpenWithTable(const std::string& path, std::string_view table);
  bool Has(const std::string& name) const { return entries_.count(name) != 0; }
  // The tensor's table entry (dtype, shape), or nullptr.
  const SafetensorsEntry* Find(const std::string& name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  // The tensor as float32, checked against `shape`.
  Status ReadFloat32(const std::string& name, const std::vector<int64_t>& shape, std::vector<float>* out) const;
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const std::string& path() const { return path_; }

 private:
  Status ParseHeader(std::string_view header);

  std::string path_;
  std::string bytes_;
  size_t data_offset_ = 0;
  std::map<std::string, SafetensorsEntry> entries_;
};

// The file an engine reads its weights from: a model.safetensors, or (table set) another
// format's file read through that table (SafetensorsFile::OpenWithTable).
struct WeightsFile {
  std::string path;
  std::string table;
  Status Open(SafetensorsFile* file) const { return table.empty() ? file->Open(path) : file->OpenWithTable(path, table); }
};

}  // namespace sk::model
