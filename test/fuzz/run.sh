#!/usr/bin/env bash
# Builds the tokenizer fuzz target under ASan + UBSan and runs it for a bounded time
# (FUZZ_SECONDS, default 60). With clang++ it is a libFuzzer target seeded with the fixture
# tokenizer.json files; with only g++ it uses test/fuzz/random_driver.cc. INSTALL_CLANG=1
# installs clang through apt first (for CI images that lack it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${FUZZ_BUILD_DIR:-/tmp/sentencekit-fuzz}"
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
mkdir -p "$OUT"
if [[ "${INSTALL_CLANG:-0}" == 1 ]] && ! command -v clang++ >/dev/null; then
  apt-get update -qq && apt-get install -y -qq clang >/dev/null
fi
SOURCES=("$ROOT"/native/tokenizer/*.cc "$ROOT/native/core/json.cc" "$ROOT/native/core/utf8.cc" "$ROOT/native/core/file_util.cc"
         "$ROOT/test/fuzz/tokenizer_fuzz.cc")
FLAGS=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -I"$ROOT/native" -DPCRE2_STATIC -DPCRE2_CODE_UNIT_WIDTH=8)
LIBS=(-l:libpcre2-8.a -lpthread)
SEEDS=("$ROOT"/test/fixtures/tokenizers/*/tokenizer.json)
export SENTENCEKIT_FIXTURES="$ROOT/test/fixtures"
if command -v clang++ >/dev/null; then
  clang++ "${FLAGS[@]}" -fsanitize=fuzzer "${SOURCES[@]}" "${LIBS[@]}" -o "$OUT/tokenizer_fuzz"
  mkdir -p "$OUT/corpus"
  for seed in "${SEEDS[@]}"; do printf '\0' | cat - "$seed" > "$OUT/corpus/$(basename "$(dirname "$seed")").json"; done
  "$OUT/tokenizer_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=1000000 -rss_limit_mb=4096 "$OUT/corpus"
else
  g++ "${FLAGS[@]}" "${SOURCES[@]}" "$ROOT/test/fuzz/random_driver.cc" "${LIBS[@]}" -o "$OUT/tokenizer_fuzz_random"
  "$OUT/tokenizer_fuzz_random" "$SECONDS_TO_RUN" "${SEEDS[@]}"
fi
