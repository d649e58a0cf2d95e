#!/usr/bin/env bash
# The whole native test suite (sentencekit_native_tests) under a sanitizer, built by build.sh
# in its own folder: `address` runs it under ASan + UBSan + LeakSanitizer, `thread` under TSan;
# any report ends the run with a non-zero status. The thread pool, the CPU engine's lanes and
# the search kernels' parallel scans run on several threads in these tests, so TSan sees them.
# Usage: test/sanitize/native.sh address|thread [test name filter]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
KIND="${1:?usage: native.sh address|thread [filter]}"
DIR="$(bash "$ROOT/test/sanitize/build.sh" "$KIND" sentencekit_native_tests | tail -1)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
export SENTENCEKIT_FIXTURES="${SENTENCEKIT_FIXTURES:-$ROOT/test/fixtures}"
cd "$ROOT"
exec "$DIR/sentencekit_native_tests" ${2:+"$2"}
