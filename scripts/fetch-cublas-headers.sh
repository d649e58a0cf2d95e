#!/usr/bin/env bash
# Lays out the cuBLAS 13 headers (cublasLt.h, cublas_api.h, …) in deps/cublas/include for the
# CUDA build. The CUDA toolkit here ships nvcc and cudart but not cuBLAS; the headers come from
# the `nvidia-cublas` wheel (the one pip installs for torch). Only include/ is extracted: the
# engine loads libcublasLt at run time, so nothing links against it. Safe to run again.
#
#   SENTENCEKIT_CUBLAS_INCLUDE=/path/to/include   use headers that are already somewhere
set -euo pipefail
cd "$(dirname "$0")/.."
target=deps/cublas/include
if [[ -f $target/cublasLt.h ]]; then
  echo "cuBLAS headers: $target (cached)"
  exit 0
fi
mkdir -p "$target"
if [[ -n ${SENTENCEKIT_CUBLAS_INCLUDE:-} ]]; then
  cp "$SENTENCEKIT_CUBLAS_INCLUDE"/cublas*.h "$target"/
  echo "cuBLAS headers: copied from $SENTENCEKIT_CUBLAS_INCLUDE"
  exit 0
fi
pip_cmd=()
for candidate in test/tools/.venv/bin/pip pip3 pip; do
  if command -v "$candidate" >/dev/null 2>&1; then pip_cmd=("$candidate"); break; fi
done
if ((${#pip_cmd[@]} == 0)) && command -v python3 >/dev/null 2>&1; then pip_cmd=(python3 -m pip); fi
if ((${#pip_cmd[@]} == 0)); then
  echo "fetch-cublas-headers: no pip to download the nvidia-cublas wheel with" >&2
  exit 1
fi
cache=deps/cublas/wheel
mkdir -p "$cache"
if ! ls "$cache"/nvidia_cublas-*.whl >/dev/null 2>&1; then
  # cuBLAS 13 is the one that matches nvcc 13 (its headers' enums are the ABI we load).
  "${pip_cmd[@]}" download --no-deps --quiet --dest "$cache" 'nvidia-cublas>=13,<14'
fi
wheel=$(ls "$cache"/nvidia_cublas-*.whl | head -n 1)
python3 - "$wheel" "$target" <<'PY'
import sys, zipfile, pathlib
wheel, target = sys.argv[1], pathlib.Path(sys.argv[2])
count = 0
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        parts = name.split("/")
        if "include" in parts and name.endswith(".h"):
            (target / parts[-1]).write_bytes(archive.read(name))
            count += 1
if not (target / "cublasLt.h").exists():
    sys.exit(f"{wheel}: no cublasLt.h inside")
print(f"cuBLAS headers: {count} files from {pathlib.Path(wheel).name} into {target}")
PY
# The wheel is 400+ MB; only its headers are needed.
rm -f "$cache"/nvidia_cublas-*.whl
