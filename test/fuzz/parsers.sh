#!/usr/bin/env bash
# Builds the native parser fuzz targets (libFuzzer under ASan + UBSan, linked against
# build-asan's core library, see test/sanitize/build.sh) and runs each for a bounded time:
#   json            native/core/json.cc (every JSON file of a model folder)
#   safetensors     native/model/safetensors_file.cc and head_names.cc
#   encoder_config  native/model/encoder_config.cc (the engines' config.json reader)
#   precompiled     native/tokenizer/precompiled.cc (SentencePiece's charsmap)
#   cpu_engine      config.json + model.safetensors through CpuEncoder::Load and a first run
#   onnx_load       runtime/ort_session.cc: our handling of a graph ONNX Runtime accepts
# FUZZ_SECONDS (default 30) per target; FUZZ_TARGETS picks some. Each run starts from the
# committed seeds (test/fuzz/corpus/<target>, written by make_seeds.py) plus the fixtures'
# large files, and grows a scratch copy under FUZZ_BUILD_DIR; crash inputs are left there as
# <target>-crash-* and the script fails. FUZZ_MERGE=1 merges what a run found back into the
# committed corpus (minimised: only inputs that add coverage).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${FUZZ_BUILD_DIR:-/tmp/sentencekit-fuzz-parsers}"
SECONDS_EACH="${FUZZ_SECONDS:-30}"
read -r -a TARGETS <<< "${FUZZ_TARGETS:-json safetensors encoder_config precompiled cpu_engine onnx_load}"
CORE_DIR="$(bash "$ROOT/test/sanitize/build.sh" address sentencekit_core | tail -1)"
mkdir -p "$OUT"
FLAGS=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer -fno-sanitize-recover=all
       -I"$ROOT/native" -I"$ROOT/test/fuzz" -I"$ROOT/deps/onnxruntime/include" -DPCRE2_STATIC -DPCRE2_CODE_UNIT_WIDTH=8)
LIBS=("$CORE_DIR/libsentencekit_core.a" -l:libpcre2-8.a -lpthread -ldl)
export SENTENCEKIT_ORT_LIBRARY="${SENTENCEKIT_ORT_LIBRARY:-$ROOT/deps/onnxruntime/lib/libonnxruntime.so.1}"
# Every finding is fatal; ONNX Runtime's own allocations at exit are not ours to report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/test/fuzz/lsan.supp:print_suppressions=0}"

# The fixtures' large files as extra seeds for the targets that read them.
extra_seeds() {
  local target=$1 dir="$OUT/seeds-$1"
  rm -rf "$dir" && mkdir -p "$dir"
  case "$target" in
    json) cp "$ROOT"/test/fixtures/tiny-bert/config.json "$dir/tiny-bert-config.json"
          cp "$ROOT"/test/fixtures/tiny-bert/tokenizer_config.json "$dir/tiny-bert-tokenizer-config.json" ;;
    safetensors) cp "$ROOT"/test/fixtures/tiny-bert-hd32-weights/model.safetensors "$dir/tiny-bert-hd32" ;;
    encoder_config) for model in tiny-bert tiny-roberta-weights tiny-mpnet-weights; do cp "$ROOT/test/fixtures/$model/config.json" "$dir/$model.json"; done ;;
    precompiled)
      # XLM-R's charsmap from its fixture tokenizer.json, as a base64 seed.
      node -e '
        const find = (o) => o && typeof o === "object" ? (o.type === "Precompiled" ? o.precompiled_charsmap : Object.values(o).map(find).find(Boolean)) : undefined;
        const map = find(require(process.argv[1]));
        process.stdout.write(Buffer.concat([Buffer.from("Ａｂｃ ①② ｶﾞ e\u0301 \u200d"), Buffer.from([0xff, 0xfe]), Buffer.from("b" + map)]));
      ' "$ROOT/test/fixtures/tokenizers/xlmr/tokenizer.json" > "$dir/xlmr-charsmap" ;;
  esac
  echo "$dir"
}

failed=0
for target in "${TARGETS[@]}"; do
  source="$ROOT/test/fuzz/${target}_fuzz.cc"
  [[ -f "$source" ]] || { echo "no fuzz target $target ($source)" >&2; exit 2; }
  flock /tmp/native-build.lock clang++ "${FLAGS[@]}" "$source" "${LIBS[@]}" -o "$OUT/${target}_fuzz"
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  seeds="$(extra_seeds "$target")"
  echo "# fuzz $target: ${SECONDS_EACH} s"
  # Run from the source root so relative fixture paths resolve. The log keeps libFuzzer's
  # progress lines; the console gets the summary (or the report, on a failure).
  # Inputs as long as each parser's real files need to be: a safetensors seed is 560 KB,
  # XLM-R's charsmap 320 KB of base64; configs are small.
  case "$target" in
    json|encoder_config) max_len=65536 ;;
    onnx_load|cpu_engine) max_len=262144 ;;
    *) max_len=1048576 ;;
  esac
  log="$OUT/$target.log"
  if (cd "$ROOT" && "$OUT/${target}_fuzz" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=3072 \
        -malloc_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$OUT/$target-" \
        "$corpus" "$ROOT/test/fuzz/corpus/$target" "$seeds" > "$log" 2>&1); then
    grep -E '^(INFO: seed corpus|#[0-9]+\s+DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$log" || tail -3 "$log"
  else
    tail -60 "$log" >&2
    echo "FUZZ FAILURE in $target: input and log under $OUT ($target-*, $target.log)" >&2
    failed=1
  fi
  if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
    (cd "$ROOT" && "$OUT/${target}_fuzz" -merge=1 "$ROOT/test/fuzz/corpus/$target" "$corpus" 2>&1 | tail -1)
  fi
done
exit "$failed"
