// Runs every registered native test; prints a plain "N passed, N failed, N skipped" line for CI.
#include "check.h"

int main(int argc, char** argv) {
  return sktest::RunTests(argc > 1 ? argv[1] : nullptr, [](const sktest::TestCase&) { return std::string(); });
}
