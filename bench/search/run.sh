#!/usr/bin/env bash
# One command for the search benchmark: builds the core and the C++ harness, generates a
# 1,000,000 x 384 float32 corpus, runs ours, faiss-cpu + NumPy (Python) and npm usearch on it
# in the same run, and prints a table of ratios. Env: ROWS, BUILD_DIR, DATA_DIR, PYTHON,
# REPEATS (best of, for 1 and 32 queries; default 3), REPEATS_LARGE (1,024 queries; default 1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD_DIR:-/tmp/sentencekit-search-bench-build}"
DATA="${DATA_DIR:-/tmp/sentencekit-search-bench}"
PYTHON="${PYTHON:-$ROOT/test/tools/.venv/bin/python}"
ROWS="${ROWS:-1000000}"
mkdir -p "$DATA"

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSENTENCEKIT_NATIVE_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target sentencekit_core >/dev/null
g++ -O3 -std=c++17 -I"$ROOT/native" "$ROOT/bench/search/search_bench.cc" "$BUILD/libsentencekit_core.a" -lpthread \
  -o "$BUILD/search_bench"

"$PYTHON" -c "import faiss" 2>/dev/null || bash "$ROOT/test/tools/setup.sh"
if ! (cd "$ROOT" && node -e "require.resolve('usearch')" 2>/dev/null); then
  [ -d "$DATA/npm/node_modules/usearch" ] || npm install --silent --no-save --prefix "$DATA/npm" usearch >/dev/null
  export USEARCH_FROM="$DATA/npm/package.json"
fi

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
"$BUILD/search_bench" --data "$DATA" --rows "$ROWS" --repeats "${REPEATS:-3}" --repeats-large "${REPEATS_LARGE:-1}" > "$DATA/ours.json"
"$PYTHON" "$ROOT/bench/search/peers.py" "$DATA" > "$DATA/peers.json"
node "$ROOT/bench/search/usearch_peer.mjs" "$DATA" > "$DATA/usearch.json" || echo "usearch run failed" >&2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$PYTHON" "$ROOT/bench/search/report.py" "$DATA"
