#!/usr/bin/env bash
# Run here, before handing bench/gpu/run.sh to a GPU machine: lays out in deps/gpu-carry what
# that machine lacks (it has CUDA 13, cmake, ninja and Python, but no node and probably no
# PCRE2 development files): its static library and header (and, with
# SK_CARRY_BINARIES=1, the engine, harness and tests built here as a fallback).
#
#   bash bench/gpu/prepare-carry.sh
#   then, with the device tool: command "bash bench/gpu/run.sh",
#   carry ["deps/gpu-carry", "deps/onnxruntime/include", "deps/cublas/include"]
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=deps/gpu-carry
rm -rf "$carry"
mkdir -p "$carry/include" "$carry/lib" "$carry/bin"
for lib in libpcre2-8.a; do
  path=$(find /usr/lib /usr/local/lib -name "$lib" 2>/dev/null | head -n 1)
  [[ -n $path ]] || { echo "prepare-carry: $lib not found (run scripts/bootstrap.sh)" >&2; exit 1; }
  cp "$path" "$carry/lib/"
done
cp /usr/include/pcre2.h "$carry/include/"
[[ -f deps/onnxruntime/include/onnxruntime_c_api.h ]] || node scripts/prepare-ort.mjs
bash scripts/fetch-cublas-headers.sh
# The fallback binaries (sm_80 + sm_90, stripped), only with SK_CARRY_BINARIES=1: the tracked
# tree alone is ~57 MiB of the device tool's 64, so by default the GPU machine builds for itself
# and a failed build there fails the run (its log says why).
if [[ ${SK_CARRY_BINARIES:-0} == 1 ]]; then
  if [[ -f build/build.ninja ]] && grep -q sentencekit_gpu_harness build/build.ninja; then
    build=build
    cmake --build "$build" -j2 --target sentencekit_cuda sentencekit_cuda_tests sentencekit_gpu_harness sentencekit_gpu_search_bench
    library=$build/Release/libsentencekit_cuda.so
  else
    build=build-gpu-carry
    cmake -S . -B "$build" -G Ninja -DSENTENCEKIT_CUDA=ON -DSENTENCEKIT_NATIVE_TESTS=ON >/dev/null
    cmake --build "$build" -j2 --target sentencekit_cuda sentencekit_cuda_tests sentencekit_gpu_harness sentencekit_gpu_search_bench
    library=$build/libsentencekit_cuda.so
  fi
  cp "$library" "$build"/sentencekit_cuda_tests "$build"/sentencekit_gpu_harness "$build"/sentencekit_gpu_search_bench "$carry/bin/"
  strip "$carry"/bin/* || true
fi
du -sh "$carry" deps/onnxruntime/include deps/cublas/include
# The device tool carries the working tree (tracked and untracked files) plus these: 64 MiB in all.
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
carried=$(du -cb "$carry" deps/onnxruntime/include deps/cublas/include | tail -n 1 | cut -f1)
echo "travels: $(( (tree + carried) / 1048576 )) MiB of 64"
if (( tree + carried > 62 * 1048576 )); then
  echo "prepare-carry: over 62 MiB: the device tool may refuse it (leave out SK_CARRY_BINARIES)" >&2
fi
