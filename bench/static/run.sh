#!/usr/bin/env bash
# The StaticEmbedding benchmark (bench/static/run.ts) in one command: builds the native harness
# against the addon build's core library (npx cmake-js compile first), then runs the peers.
# Env: REPEATS (default 5), PYTHON.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export STATIC_BENCH="${STATIC_BENCH:-/tmp/sentencekit-static-bench}"
g++ -O3 -std=c++17 -I"$ROOT/native" "$ROOT/bench/static/static_bench.cc" "$ROOT/build/libsentencekit_core.a" \
  -l:libpcre2-8.a -lpthread -o "$STATIC_BENCH"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
cd "$ROOT" && node --import tsx bench/static/run.ts
