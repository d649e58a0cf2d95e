#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for development: the system libraries the native
# build links statically (PCRE2), cmake and a compiler when missing, the npm
# dependencies, and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v cmake >/dev/null 2>&1 || packages+=(cmake)
command -v g++ >/dev/null 2>&1 || packages+=(g++)
for package in libpcre2-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || packages+=("$package")
done
if ((${#packages[@]} > 0)); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}"
fi

# onnxruntime-node is only the source of libonnxruntime.so.1 here; its own postinstall would
# try to download GPU binaries, which we neither need nor can fetch offline.
export ONNXRUNTIME_NODE_INSTALL=skip
# fastembed (a benchmark peer, devDependency) pins onnxruntime-node 1.21, whose postinstall reads
# the older variable and would otherwise fetch CUDA binaries from GitHub.
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
# npm ci builds nothing of ours (the package has no install script; the addon comes from
# `npm run build` below), so the native code, its tests included, is compiled once.
npm ci --no-audit --no-fund
# The CUDA engine is built beside the CPU addon when nvcc is here; its cuBLAS headers come from
# the nvidia-cublas wheel. In CI (CI=true) a CUDA build that cannot be made is an error.
if command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]]; then
  if [[ ${CI:-} == true ]]; then
    bash scripts/fetch-cublas-headers.sh
    export SENTENCEKIT_CUDA=ON
  else
    bash scripts/fetch-cublas-headers.sh || echo "bootstrap: no cuBLAS headers; building without the CUDA engine" >&2
  fi
fi
npm run build
