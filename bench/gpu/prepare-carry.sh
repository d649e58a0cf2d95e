#!/usr/bin/env bash
# Run here, before handing bench/gpu/run.sh to a GPU machine: lays out in deps/gpu-carry what
# that machine lacks (it has CUDA 13, cmake, ninja and Python, but no node and probably no
# utf8proc/PCRE2 development files): the two static libraries and their headers, plus the
# engine, harness and tests built here as a fallback should the build there fail.
#
#   bash bench/gpu/prepare-carry.sh
#   then, with the device tool: command "bash bench/gpu/run.sh",
#   carry ["deps/gpu-carry", "deps/onnxruntime/include", "deps/cublas/include"]
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=deps/gpu-carry
rm -rf "$carry"
mkdir -p "$carry/include" "$carry/lib" "$carry/bin"
for lib in libutf8proc.a libpcre2-8.a; do
  path=$(find /usr/lib /usr/local/lib -name "$lib" 2>/dev/null | head -n 1)
  [[ -n $path ]] || { echo "prepare-carry: $lib not found (run scripts/bootstrap.sh)" >&2; exit 1; }
  cp "$path" "$carry/lib/"
done
cp /usr/include/utf8proc.h /usr/include/pcre2.h "$carry/include/"
[[ -f deps/onnxruntime/include/onnxruntime_c_api.h ]] || node scripts/prepare-ort.mjs
bash scripts/fetch-cublas-headers.sh
# The fallback binaries, built for every architecture the GPU machine may have.
build=build-gpu-carry
cmake -S . -B "$build" -G Ninja -DSENTENCEKIT_CUDA=ON -DSENTENCEKIT_NATIVE_TESTS=ON >/dev/null
cmake --build "$build" -j2 --target sentencekit_cuda sentencekit_cuda_tests sentencekit_gpu_harness
cp "$build"/libsentencekit_cuda.so "$build"/sentencekit_cuda_tests "$build"/sentencekit_gpu_harness "$carry/bin/"
du -sh "$carry" deps/onnxruntime/include deps/cublas/include
