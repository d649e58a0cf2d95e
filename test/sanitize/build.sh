#!/usr/bin/env bash
# Configures and builds targets of the native build with clang under a sanitizer, each in its
# own folder beside build/: `address` (ASan + UBSan, every report fatal) in build-asan/, whose
# core is also instrumented for libFuzzer (fuzzer-no-link) so test/fuzz/parsers.sh links its
# targets against the same library; `thread` (TSan) in build-tsan/. Compiles take
# /tmp/native-build.lock, as every native build in this checkout does, so at most one runs at
# a time. Prints the build folder on its last line.
# Usage: test/sanitize/build.sh address|thread target...
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
KIND="${1:?usage: build.sh address|thread target...}"
shift
case "$KIND" in
  address)
    DIR="$ROOT/build-asan"
    FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
    LINK="-fsanitize=address,undefined"
    ;;
  thread)
    DIR="$ROOT/build-tsan"
    FLAGS="-fsanitize=thread -fno-omit-frame-pointer -g"
    LINK="-fsanitize=thread"
    ;;
  *) echo "unknown sanitizer $KIND (address or thread)" >&2; exit 2 ;;
esac
if [[ "${INSTALL_CLANG:-0}" == 1 ]] && ! command -v clang++ >/dev/null; then
  apt-get update -qq && apt-get install -y -qq clang >/dev/null
fi
command -v clang++ >/dev/null || { echo "clang++ is needed (INSTALL_CLANG=1 installs it through apt)" >&2; exit 2; }
GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)
if [[ ! -f "$DIR/CMakeCache.txt" ]]; then
  # No cmake-js variables: only the core, the native tests and the engine bench are defined.
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENTENCEKIT_CUDA=OFF \
    -DSENTENCEKIT_NATIVE_TESTS=ON -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LINK" >&2
fi
flock /tmp/native-build.lock cmake --build "$DIR" --target "$@" >&2
echo "$DIR"
