#!/usr/bin/env bash
# The GPU check of issue 7, one command for a session holding the `device` tool:
#
#   here:   bash bench/gpu/prepare-carry.sh
#   device: run command "bash bench/gpu/run.sh", timeout_s 600,
#           carry ["deps/gpu-carry", "deps/onnxruntime/include", "deps/cublas/include"]
#
# On the GPU machine (CUDA 13, cmake, ninja, python3 with torch + sentence-transformers, no
# node) it builds the engine, generates the random-weight models with the project's generator,
# runs the engine against the CPU reference, checks parity against sentence-transformers on torch
# CUDA with the same weights (fp32: max |diff| ≤ 1e-4; fp16: cosine ≥ 0.9999 on every row), and
# benchmarks both on the MiniLM-L6 and bert-base shapes. Every stage logs to $OUT/<stage>.log and
# fails soft: a broken stage is recorded in $OUT/stages.txt and the others still run.
#
#   SK_GPU_SENTENCES   sentences for our throughput (default 100000)
#   SK_ST_SENTENCES    sentences for sentence-transformers' throughput (default 20000: its rate
#                      on a same-distribution slice, to fit the device time)
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-$ROOT/gpu-out}
mkdir -p "$OUT"
WORK=${SK_GPU_WORK:-/tmp/sentencekit-gpu}
mkdir -p "$WORK"
GPU_SENTENCES=${SK_GPU_SENTENCES:-100000}
ST_SENTENCES=${SK_ST_SENTENCES:-20000}
STAGES=$OUT/stages.txt
: >"$STAGES"
START=$(date +%s)

# Past this many seconds the remaining stages are skipped (recorded as such), so the report is
# still written inside the device tool's 600 s limit.
DEADLINE_S=${SK_GPU_DEADLINE_S:-540}

stage() {  # stage NAME COMMAND...: runs it, logs it, records ok/FAILED and its seconds
  local name=$1
  shift
  if (( $(date +%s) - START > DEADLINE_S )); then
    echo "SKIPPED $name (past ${DEADLINE_S}s)" | tee -a "$STAGES"
    return 1
  fi
  local t0=$(date +%s)
  echo "== $name" | tee -a "$OUT/run.log"
  ("$@") >"$OUT/$name.log" 2>&1
  local rc=$?
  local t=$(( $(date +%s) - t0 ))
  if ((rc == 0)); then echo "ok     $name (${t}s)" | tee -a "$STAGES"; else echo "FAILED $name (rc $rc, ${t}s)" | tee -a "$STAGES"; tail -n 25 "$OUT/$name.log"; fi
  return $rc
}

PY=${SK_PYTHON:-}
if [[ -z $PY ]]; then
  for candidate in /opt/torch/.venv/bin/python python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import torch, sentence_transformers" 2>/dev/null; then PY=$candidate; break; fi
  done
fi
PY=${PY:-python3}

environment() {
  nvidia-smi || true
  nvcc --version || /usr/local/cuda/bin/nvcc --version || true
  cmake --version | head -n 1; ninja --version || true
  "$PY" -c "import torch, sentence_transformers, transformers; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0)); print('sentence-transformers', sentence_transformers.__version__, 'transformers', transformers.__version__)"
  nproc; free -g | head -n 2
}

# libcublasLt.so.13 from the nvidia-cublas wheel torch uses, else the CUDA toolkit's.
find_cublas() {
  local dir
  dir=$("$PY" - <<'PY' 2>/dev/null
import pathlib, importlib.util
for name in ("nvidia.cu13", "nvidia.cublas", "nvidia"):
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        continue
    for base in (spec.submodule_search_locations or []) if spec else []:
        for lib in pathlib.Path(base).rglob("libcublasLt.so.13*"):
            print(lib.parent); raise SystemExit
PY
)
  if [[ -z $dir ]]; then
    local found
    found=$(find /usr/local/cuda*/ /usr/lib/x86_64-linux-gnu -name 'libcublasLt.so.13*' 2>/dev/null | head -n 1)
    [[ -n $found ]] && dir=$(dirname "$found")
  fi
  echo "$dir"
}
CUBLAS_LIB_DIR=$(find_cublas)
export LD_LIBRARY_PATH="${CUBLAS_LIB_DIR:+$CUBLAS_LIB_DIR:}${LD_LIBRARY_PATH:-}"
echo "cuBLASLt from: ${CUBLAS_LIB_DIR:-not found}" | tee -a "$OUT/run.log"
if [[ ! -f deps/cublas/include/cublasLt.h && -n $CUBLAS_LIB_DIR && -f $CUBLAS_LIB_DIR/../include/cublasLt.h ]]; then
  mkdir -p deps/cublas/include && cp "$CUBLAS_LIB_DIR"/../include/cublas*.h deps/cublas/include/
fi

BUILD=$WORK/build
BIN=$BUILD
build() {
  local arch
  arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .')
  [[ -n $arch ]] || arch=90
  local nvcc_path
  nvcc_path=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  local generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S "$ROOT" -B "$BUILD" "${generator[@]}" -DSENTENCEKIT_CUDA=ON -DSENTENCEKIT_NATIVE_TESTS=ON \
    -DCMAKE_CUDA_COMPILER="$nvcc_path" -DCMAKE_CUDA_ARCHITECTURES="${arch}-real" \
    -DCMAKE_PREFIX_PATH="$ROOT/deps/gpu-carry" -DSENTENCEKIT_CUBLAS_INCLUDE="$ROOT/deps/cublas/include" &&
    cmake --build "$BUILD" -j "$(nproc)" --target sentencekit_cuda sentencekit_cuda_tests sentencekit_gpu_harness sentencekit_gpu_search_bench
}
environment_stage() { environment; }
stage environment environment_stage
if ! stage build build; then
  # Carried only with SK_CARRY_BINARIES=1 (see prepare-carry.sh); otherwise the stages below fail.
  echo "build failed; using deps/gpu-carry/bin if it was carried" | tee -a "$OUT/run.log"
  BIN=$ROOT/deps/gpu-carry/bin
fi
export SENTENCEKIT_CUDA_LIBRARY_DIR=$BIN SENTENCEKIT_SOURCE_DIR=$ROOT
HARNESS=$BIN/sentencekit_gpu_harness
"$HARNESS" info | tee "$OUT/device.json"

MODELS=$WORK/models
stage models "$PY" bench/gpu/st_gpu.py models --out "$MODELS"
stage corpus bash -c "'$PY' bench/gpu/st_gpu.py corpus --out '$WORK/parity.txt' --count 1000 --parity &&
  '$PY' bench/gpu/st_gpu.py corpus --out '$WORK/bench.txt' --count $GPU_SENTENCES"

# The engine against the fp32 CPU reference, on tiny-bert, the tiny RoBERTa and MiniLM.
engine_tests() {  # on the GPU machine a skip is a failure: the device must be usable
  SENTENCEKIT_CUDA_SYNC_CHECK=1 SENTENCEKIT_CUDA_TEST_MODELS="$MODELS/tiny-roberta:$MODELS/tiny-mpnet:$MODELS/minilm-l6" \
    SENTENCEKIT_CUDA_TEST_CE_MODELS="$MODELS/tiny-ce-bert:$MODELS/tiny-ce-roberta" \
    SENTENCEKIT_CUDA_TEST_SPLADE_MODELS="$MODELS/tiny-splade" \
    "$BIN/sentencekit_cuda_tests" | tee "$WORK/engine-tests.out"
  local rc=${PIPESTATUS[0]}
  ! grep -q '^SKIP' "$WORK/engine-tests.out" && return "$rc"
}
stage engine-tests engine_tests

# Search over a device-resident corpus: 10M x 384 fp16 (7.7 GB) by default, top-10 for query
# batches of 1 to 128, against the device-to-device copy bandwidth measured in the same run.
SEARCH_ROWS=${SK_GPU_SEARCH_ROWS:-10000000}
stage search-fp16 "$BIN/sentencekit_gpu_search_bench" "$SEARCH_ROWS" 384 fp16 "$OUT/search-fp16.json"
stage search-int8 "$BIN/sentencekit_gpu_search_bench" "$SEARCH_ROWS" 384 int8 "$OUT/search-int8.json"

PARITY_MODELS=("$ROOT/test/fixtures/tiny-bert" "$MODELS/tiny-roberta" "$MODELS/tiny-mpnet" "$MODELS/minilm-l6" "$MODELS/bert-base")
stage st-reference "$PY" bench/gpu/st_gpu.py encode --models "${PARITY_MODELS[@]}" --dtypes fp32 fp16 \
  --texts "$WORK/parity.txt" --out "$WORK"
parity() {  # parity MODEL DTYPE
  local model=$1 dtype=$2 name
  name=$(basename "$model")-$dtype
  SENTENCEKIT_CUDA_SYNC_CHECK=1 "$HARNESS" encode "$model" "$WORK/parity.txt" "$dtype" "$WORK/$name.ours.f32" &&
    "$PY" bench/gpu/st_gpu.py compare --reference "$WORK/$name.st.npy" --ours "$WORK/$name.ours.f32" --dtype "$dtype" \
      --out "$OUT/parity-$name.json"
}
for model in "${PARITY_MODELS[@]}"; do
  for dtype in fp32 fp16; do
    stage "parity-$(basename "$model")-$dtype" parity "$model" "$dtype"
  done
done

# Cross-encoders (encoder + classification head on the GPU) against sentence-transformers'
# CrossEncoder on torch CUDA, raw logits: fp32 max |diff| ≤ 1e-4, fp16 ≤ 2e-2 relative.
CE_MODELS=("$MODELS/tiny-ce-bert" "$MODELS/tiny-ce-roberta")
stage ce-reference bash -c "'$PY' bench/gpu/st_gpu.py pairs --texts '$WORK/parity.txt' --out '$WORK/pairs.tsv' --count 500 &&
  '$PY' bench/gpu/st_gpu.py predict --models ${CE_MODELS[*]} --dtypes fp32 fp16 --pairs '$WORK/pairs.tsv' --out '$WORK'"
ce_parity() {  # ce_parity MODEL DTYPE
  local model=$1 dtype=$2 name
  name=$(basename "$model")-$dtype
  SENTENCEKIT_CUDA_SYNC_CHECK=1 "$HARNESS" predict "$model" "$WORK/pairs.tsv" "$dtype" "$WORK/$name.ours.f32" &&
    "$PY" bench/gpu/st_gpu.py compare --logits --reference "$WORK/$name.st.npy" --ours "$WORK/$name.ours.f32" \
      --dtype "$dtype" --out "$OUT/parity-$name.json"
}
for model in "${CE_MODELS[@]}"; do
  for dtype in fp32 fp16; do
    stage "parity-$(basename "$model")-$dtype" ce_parity "$model" "$dtype"
  done
done

# SPLADE (masked-LM head + pooling on the GPU) against sentence-transformers' SparseEncoder on
# torch CUDA, dense weights of the first 300 parity texts: same bars as the logits.
stage splade-reference bash -c "head -n 300 '$WORK/parity.txt' >'$WORK/splade.txt' &&
  '$PY' bench/gpu/st_gpu.py sparse --models '$MODELS/tiny-splade' --dtypes fp32 fp16 --texts '$WORK/splade.txt' --out '$WORK'"
splade_parity() {  # splade_parity DTYPE
  local dtype=$1 name=tiny-splade-$1
  SENTENCEKIT_CUDA_SYNC_CHECK=1 "$HARNESS" splade "$MODELS/tiny-splade" "$WORK/splade.txt" "$dtype" "$WORK/$name.ours.f32" &&
    "$PY" bench/gpu/st_gpu.py compare --logits --reference "$WORK/$name.st.npy" --ours "$WORK/$name.ours.f32" \
      --dtype "$dtype" --out "$OUT/parity-$name.json"
}
for dtype in fp32 fp16; do stage "parity-tiny-splade-$dtype" splade_parity "$dtype"; done

# Throughput and single-query latency: ours on all sentences, sentence-transformers (fp16 and
# fp32, batch 64 and 256, the best kept) on the first SK_ST_SENTENCES of the same file.
BUDGET=${SK_GPU_BATCH_TOKENS:-32768}
for shape in minilm-l6 bert-base; do
  for dtype in fp16 fp32; do
    stage "ours-$shape-$dtype" "$HARNESS" bench "$MODELS/$shape" "$WORK/bench.txt" "$dtype" "$BUDGET" \
      "$OUT/ours-$shape-$dtype.json"
  done
done
stage st-bench "$PY" bench/gpu/st_gpu.py bench --models "$MODELS/minilm-l6" "$MODELS/bert-base" --dtypes fp16 fp32 \
  --texts "$WORK/bench.txt" --count "$ST_SENTENCES" --out "$OUT"

"$PY" bench/gpu/report.py "$OUT" >"$OUT/report.log" 2>&1 || echo "FAILED report" | tee -a "$STAGES"
echo "total $(( $(date +%s) - START )) s" | tee -a "$STAGES"
cat "$STAGES"
[[ -f $OUT/summary.md ]] && cat "$OUT/summary.md"
! grep -qE 'FAILED|SKIPPED' "$STAGES"
