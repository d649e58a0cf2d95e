// A minimal test registry for the native tests (no third-party framework to install).
// TEST(name) { CHECK(cond) << ...; } registers a test; sentencekit_native_tests runs them
// all (or those whose name contains argv[1]) and ends with "N passed, N failed, N skipped".
// SKIP("why") ends a test that cannot run on this machine (no GPU, no AMX) as skipped, never
// as passed; SkipPart("what") records a part of a passing test this machine cannot run (a
// kernel level above its CPU's), counted among the skipped too.
#pragma once

#include <chrono>
#include <cmath>
#include <functional>
#include <type_traits>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace sktest {

struct TestCase {
  std::string name;
  std::function<void()> body;
};

inline std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}

// Failures of the running test; reset by the runner for each test.
inline int& CurrentFailures() {
  static int failures = 0;
  return failures;
}

// Thrown by SKIP(): the test ends here, counted as skipped.
struct Skipped {
  std::string reason;
};

// Parts of the running test this machine cannot run; reset by the runner for each test.
inline std::set<std::string>& SkippedParts() {
  static std::set<std::string> parts;
  return parts;
}

inline void SkipPart(const std::string& what) { SkippedParts().insert(what); }

struct Registrar {
  Registrar(const char* name, std::function<void()> body) {
    Registry().push_back({name, std::move(body)});
  }
};

// Streams the failure message, prints it when the statement ends.
class FailureReport {
 public:
  FailureReport(const char* file, int line, const char* expr) {
    stream_ << file << ":" << line << ": CHECK(" << expr << ") failed ";
    CurrentFailures() += 1;
  }
  ~FailureReport() { std::cerr << "  " << stream_.str() << "\n"; }
  template <typename T>
  FailureReport& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

// The larger / smaller of a running worst case and a new value, NaN winning. std::max(worst, NaN)
// keeps `worst`, so a loop built on it reports no error at all for an all-NaN output.
template <typename A, typename B>
std::common_type_t<A, B> MaxOrNan(A worst, B value) {
  using T = std::common_type_t<A, B>;
  if (std::isnan(static_cast<T>(worst))) return static_cast<T>(worst);
  if (std::isnan(static_cast<T>(value))) return static_cast<T>(value);
  return value > worst ? static_cast<T>(value) : static_cast<T>(worst);
}

template <typename A, typename B>
std::common_type_t<A, B> MinOrNan(A worst, B value) {
  using T = std::common_type_t<A, B>;
  if (std::isnan(static_cast<T>(worst))) return static_cast<T>(worst);
  if (std::isnan(static_cast<T>(value))) return static_cast<T>(value);
  return value < worst ? static_cast<T>(value) : static_cast<T>(worst);
}

// Runs the registered tests whose name contains `filter` (all when null). `skip_reason(test)`
// returning non-empty skips a test without running it. Prints one line per test and the
// summary line; returns the process exit status (1 when any failed, or none matched the filter).
template <typename SkipReason>
int RunTests(const char* filter, SkipReason skip_reason) {
  int passed = 0, failed = 0, skipped = 0, matched = 0;
  for (const auto& test : Registry()) {
    if (filter != nullptr && test.name.find(filter) == std::string::npos) continue;
    matched += 1;
    const std::string reason = skip_reason(test);
    if (!reason.empty()) {
      skipped += 1;
      std::cout << "skip " << test.name << ": " << reason << "\n";
      continue;
    }
    CurrentFailures() = 0;
    SkippedParts().clear();
    const auto started = std::chrono::steady_clock::now();
    try {
      test.body();
    } catch (const Skipped& skip) {
      if (CurrentFailures() == 0) {
        skipped += 1;
        std::cout << "skip " << test.name << ": " << skip.reason << "\n";
        continue;
      }
    } catch (const std::exception& error) {
      std::cerr << "  exception: " << error.what() << "\n";
      CurrentFailures() += 1;
    }
    std::string parts;
    for (const std::string& part : SkippedParts()) parts += (parts.empty() ? "" : ", ") + part;
    skipped += static_cast<int>(SkippedParts().size());
    const auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    if (CurrentFailures() == 0) {
      passed += 1;
      std::cout << "ok   " << test.name << " (" << elapsed_ms << " ms)"
                << (parts.empty() ? "" : " (not run here: " + parts + ")") << "\n";
    } else {
      failed += 1;
      std::cout << "FAIL " << test.name << "\n";
    }
  }
  if (matched == 0) {
    std::cout << "no test matches " << (filter == nullptr ? "" : filter) << "\n";
    failed += 1;
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace sktest

#define SKTEST_CONCAT_(a, b) a##b
#define SKTEST_CONCAT(a, b) SKTEST_CONCAT_(a, b)
#define TEST(name)                                                              \
  static void SKTEST_CONCAT(sktest_body_, name)();                              \
  static ::sktest::Registrar SKTEST_CONCAT(sktest_reg_, name)(#name,            \
                                                              SKTEST_CONCAT(sktest_body_, name)); \
  static void SKTEST_CONCAT(sktest_body_, name)()

#define SKIP(reason) throw ::sktest::Skipped{reason}

// The switch keeps a caller's `if (x) CHECK(y) << ...;` from binding a later else to this if
// (googletest's GTEST_AMBIGUOUS_ELSE_BLOCKER_).
#define CHECK(cond) \
  switch (0)        \
  case 0:           \
  default:          \
    if (cond) {     \
    } else          \
      ::sktest::FailureReport(__FILE__, __LINE__, #cond)

// |a - b| <= tol, with NaN equal to NaN and equal infinities equal.
#define CHECK_NEAR(a, b, tol)                                                              \
  CHECK(((std::isnan(a) && std::isnan(b)) || (a) == (b) || std::fabs((a) - (b)) <= (tol))) \
      << "(" << (a) << " vs " << (b) << ", tol " << (tol) << ") "
