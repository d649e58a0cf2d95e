// Reading whole files, with errors that name the file.
#pragma once

#include <string>

#include "core/status.h"

namespace sk {

// Reads the whole file at `path` into `out`. A missing or unreadable file gives a Status
// of `error_code` whose message names the path.
Status ReadWholeFile(const std::string& path, std::string* out,
                     StatusCode error_code = StatusCode::kModelLoad);

}  // namespace sk
