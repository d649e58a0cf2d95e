// Runs every registered native test; prints a plain "N passed, N failed, N skipped" line for CI.
// argv[1] keeps the tests whose name contains it. SENTENCEKIT_TEST_SKIP (comma-separated name
// parts) skips tests, counted as skipped with the reason: the sanitizer stages leave the
// exhaustive code-point sweep, hours under TSan, to the uninstrumented suite
// (test/sanitize/native.sh).
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"

int main(int argc, char** argv) {
  std::vector<std::string> skipped;
  if (const char* list = std::getenv("SENTENCEKIT_TEST_SKIP")) {
    std::stringstream parts(list);
    for (std::string part; std::getline(parts, part, ',');) {
      if (!part.empty()) skipped.push_back(part);
    }
  }
  return sktest::RunTests(argc > 1 ? argv[1] : nullptr, [&](const sktest::TestCase& test) {
    for (const std::string& part : skipped) {
      if (test.name.find(part) != std::string::npos) return "skipped by SENTENCEKIT_TEST_SKIP=" + part;
    }
    return std::string();
  });
}
