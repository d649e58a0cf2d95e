// A minimal test registry for the native tests (no third-party framework to install).
// TEST(name) { CHECK(cond) << ...; } registers a test; sentencekit_native_tests runs them
// all (or those whose name contains argv[1]) and ends with "N passed, N failed".
#pragma once

#include <cmath>
#include <functional>
#include <iostream>
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

}  // namespace sktest

#define SKTEST_CONCAT_(a, b) a##b
#define SKTEST_CONCAT(a, b) SKTEST_CONCAT_(a, b)
#define TEST(name)                                                              \
  static void SKTEST_CONCAT(sktest_body_, name)();                              \
  static ::sktest::Registrar SKTEST_CONCAT(sktest_reg_, name)(#name,            \
                                                              SKTEST_CONCAT(sktest_body_, name)); \
  static void SKTEST_CONCAT(sktest_body_, name)()

#define CHECK(cond) \
  if (cond) {       \
  } else            \
    ::sktest::FailureReport(__FILE__, __LINE__, #cond)

// |a - b| <= tol, with NaN equal to NaN and equal infinities equal.
#define CHECK_NEAR(a, b, tol)                                                              \
  CHECK(((std::isnan(a) && std::isnan(b)) || (a) == (b) || std::fabs((a) - (b)) <= (tol))) \
      << "(" << (a) << " vs " << (b) << ", tol " << (tol) << ") "
