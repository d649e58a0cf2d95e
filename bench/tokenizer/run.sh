#!/usr/bin/env bash
# One command for the tokenizer benchmark: builds the core and the C++ harness, then encodes
# the 20,000-line fixture corpus with the four fixture tokenizer.json files (BERT, MPNet,
# RoBERTa byte-level BPE, XLM-R Unigram) with ours, Python tokenizers (Rust; single-threaded
# and parallel encode_batch) and @huggingface/tokenizers (the tokenizer of transformers.js)
# in the same run, and prints tokens/s and ratios. Env: BUILD_DIR, PYTHON, REPEAT.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD_DIR:-/tmp/sentencekit-tokenizer-bench-build}"
PYTHON="${PYTHON:-$ROOT/test/tools/.venv/bin/python}"
REPEAT="${REPEAT:-3}"
FIXTURES="$ROOT/test/fixtures/tokenizers"
OUT="$BUILD/results"
mkdir -p "$OUT"

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSENTENCEKIT_NATIVE_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target sentencekit_core >/dev/null
g++ -O3 -std=c++17 -I"$ROOT/native" "$ROOT/bench/tokenizer/tokenizer_bench.cc" "$BUILD/libsentencekit_core.a" \
  -l:libpcre2-8.a -lpthread -o "$BUILD/tokenizer_bench"

if ! (cd "$ROOT" && node -e "require.resolve('@huggingface/tokenizers')" 2>/dev/null); then
  [ -d "$BUILD/npm/node_modules/@huggingface/tokenizers" ] ||
    npm install --silent --no-save --prefix "$BUILD/npm" @huggingface/tokenizers >/dev/null
  export TOKENIZERS_JS_FROM="$BUILD/npm/package.json"
fi

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
"$BUILD/tokenizer_bench" --fixtures "$FIXTURES" --repeat "$REPEAT" > "$OUT/ours.json"
TOKENIZERS_PARALLELISM=false "$PYTHON" "$ROOT/bench/tokenizer/python_peer.py" "$FIXTURES" "$REPEAT" > "$OUT/python_1thread.json"
"$PYTHON" "$ROOT/bench/tokenizer/python_peer.py" "$FIXTURES" "$REPEAT" > "$OUT/python_parallel.json"
node "$ROOT/bench/tokenizer/js_peer.mjs" "$FIXTURES" "$REPEAT" > "$OUT/js.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$PYTHON" "$ROOT/bench/tokenizer/report.py" "$OUT"
