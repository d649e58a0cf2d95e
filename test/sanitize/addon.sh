#!/usr/bin/env bash
# The Node addon under a sanitizer: built by cmake-js (g++) into build-asan-addon/ (address:
# ASan + UBSan) or build-tsan-addon/ (thread: TSan), then the unit tests that drive its threads
# run in node with g++'s sanitizer runtime preloaded (it must come first in the process) and
# SENTENCEKIT_NATIVE pointing at that build. They cover each model's owner thread, the
# cross-caller scheduler, dispose during runs, concurrent loads, the search and similarity
# workers on detached buffers, and the CPU engine's lanes. Node, V8 and ONNX Runtime are not
# instrumented: ASan still checks every access of our code and every free (leaks are not
# checked: node keeps its own to exit; allow_user_segv_handler=0 keeps node from taking the
# SEGV report), and TSan sees our code's accesses and the pthread and libuv locks between them;
# ignore_noninstrumented_modules=1 has TSan's interceptors (memcpy, malloc, ...) ignore calls
# made from node's and ORT's own code, whose ordering atomics it cannot see. No suppression
# list is needed: any report fails the run.
# Usage: test/sanitize/addon.sh address|thread [test file names, without .test.ts]

set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
KIND="${1:?usage: addon.sh address|thread [tests...]}"
shift
case "$KIND" in
  address)
    DIR=build-asan-addon FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" LINK="-fsanitize=address,undefined"
    RUNTIME="$(${CXX:-g++} -print-file-name=libasan.so)" PROBE=__asan_report
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allow_user_segv_handler=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ;;
  thread)
    DIR=build-tsan-addon FLAGS="-fsanitize=thread" LINK="-fsanitize=thread"
    RUNTIME="$(${CXX:-g++} -print-file-name=libtsan.so)" PROBE=__tsan_read
    export TSAN_OPTIONS="halt_on_error=1:report_signal_unsafe=0:ignore_noninstrumented_modules=1"
    ;;
  *) echo "unknown sanitizer $KIND (address or thread)" >&2; exit 2 ;;
esac
# cmake-js sets CMAKE_CXX_FLAGS itself (-DBUILDING_NODE_EXTENSION), replacing any given on its
# command line, so the sanitizer goes into the build type's flags, which it leaves alone.
FLAGS="-O2 -g -DNDEBUG $FLAGS -fno-omit-frame-pointer"
# cmake-js configures only a folder without a cache: one configured with other flags starts over.
if ! grep -qxF "CMAKE_CXX_FLAGS_RELWITHDEBINFO:STRING=$FLAGS" "$DIR/CMakeCache.txt" 2>/dev/null; then rm -f "$DIR/CMakeCache.txt"; fi
flock /tmp/native-build.lock npx cmake-js compile -O "$DIR" -B RelWithDebInfo \
  --CDCMAKE_CXX_FLAGS_RELWITHDEBINFO="$FLAGS" --CDCMAKE_C_FLAGS_RELWITHDEBINFO="$FLAGS" --CDCMAKE_SHARED_LINKER_FLAGS="$LINK" \
  --CDSENTENCEKIT_CUDA=OFF --CDSENTENCEKIT_NATIVE_TESTS=OFF >/dev/null
ADDON="$ROOT/$DIR/RelWithDebInfo/sentencekit.node"
# An addon only linked with the runtime would pass every test while checking nothing.
if ! nm -D --undefined-only "$ADDON" | grep "$PROBE" >/dev/null; then
  echo "$ADDON is not instrumented (no $PROBE calls): the sanitizer flags did not reach the compiler" >&2
  exit 1
fi
TESTS=("$@")
if [[ ${#TESTS[@]} -eq 0 ]]; then
  TESTS=(concurrency detached-buffers sentence-transformer engine search similarity tokenize limits)
fi
failed=0
for name in "${TESTS[@]}"; do
  started=$SECONDS
  log="/tmp/sentencekit-$KIND-addon-$name.log"
  if LD_PRELOAD="$RUNTIME" SENTENCEKIT_NATIVE="$ADDON" node node_modules/uvu/bin.js test/unit "^${name//./\\.}\\.test\\.ts\$" -r tsx/cjs > "$log" 2>&1 &&
     ! grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "ok   $name under $KIND ($((SECONDS - started)) s): $(grep -o 'Passed: *[0-9]*' "$log" | tr -s ' ')"
  else
    echo "FAIL $name under $KIND: see $log"
    grep -m30 -E "ERROR: AddressSanitizer|WARNING: ThreadSanitizer|runtime error|SUMMARY|FAIL|#[0-9] 0x" "$log" || tail -20 "$log"
    failed=1
  fi
done
exit "$failed"
