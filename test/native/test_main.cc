// Runs every registered native test; prints a plain "N passed, N failed" line for CI.
#include <cstring>

#include "check.h"

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int passed = 0;
  int failed = 0;
  for (const auto& test : sktest::Registry()) {
    if (filter != nullptr && test.name.find(filter) == std::string::npos) continue;
    sktest::CurrentFailures() = 0;
    try {
      test.body();
    } catch (const std::exception& error) {
      std::cerr << "  exception: " << error.what() << "\n";
      sktest::CurrentFailures() += 1;
    }
    if (sktest::CurrentFailures() == 0) {
      passed += 1;
      std::cout << "ok   " << test.name << "\n";
    } else {
      failed += 1;
      std::cout << "FAIL " << test.name << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
