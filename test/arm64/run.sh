#!/usr/bin/env bash
# The linux-arm64 checks under qemu-user (issue 17): the aarch64 native suite on an emulated CPU
# of each ARM level (NEON only, dotprod, i8mm), each run checking that the dispatcher detected
# that level, and the package's unit and parity tests, a named subset, in Debian's arm64 Node
# with the linux-arm64-gnu addon. Built by PKG's cross build (scripts/prebuild.mjs, zig).
#   bash test/arm64/run.sh [native|node]...   (default both; prints each part's time)
# Needs qemu-user-static (apt-get install qemu-user-static); test/arm64/ci.sh installs it and runs
# this under a time limit. The sysroot comes from test/arm64/sysroot.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
parts=("$@")
((${#parts[@]} > 0)) || parts=(native node)
wants() { [[ " ${parts[*]} " == *" $1 "* ]]; }

qemu=$(command -v qemu-aarch64-static || true)
[[ -n $qemu ]] || { echo "arm64: qemu-aarch64-static missing (apt-get install qemu-user-static)" >&2; exit 1; }
sysroot=$(bash test/arm64/sysroot.sh)
started=$SECONDS
node scripts/prebuild.mjs linux-arm64-gnu --tests
echo "# arm64: cross build $((SECONDS - started)) s"
# No weak definition shared between the +dotprod / +i8mm objects and the baseline ones (read
# with the host's nm; the unit test that checks build/'s x86 objects).
SENTENCEKIT_ISA_OBJECTS=$PWD/build-cross/linux-arm64-gnu/CMakeFiles/sentencekit_core.dir/native \
  node node_modules/uvu/bin.js test/unit '^isa-isolation\.test\.ts$' -r tsx/cjs

if wants native; then
  tests=build-cross/linux-arm64-gnu/sentencekit_native_tests
  # qemu 7.2's models: max (everything qemu emulates: dotprod, i8mm, bf16, SVE), cortex-a76
  # (Armv8.2: dotprod) and cortex-a53 (Armv8.0: NEON only). Every kernel test loops over the
  # levels up to the CPU's, so the max run checks all four levels against the scalar references
  # (the code-point sweeps, ids and offsets, left to the x86 suite: hours under emulation); the older CPUs then run
  # what depends on the CPU, so an instruction their level lacks (SIGILL) or a wrong detection
  # shows. SENTENCEKIT_EXPECT_CPU_LEVEL is checked by kernels_cpu_level_detected_as_expected.
  # The older CPUs also leave out the longest search tests (their shapes and NaN orderings, already
  # checked at every level in the max run); each kernel family still runs at the detected level.
  sweeps=tokenizer_every_code_point,tokenizer_offsets_parity,static_tokenizer_chunks_give_encode_ids_on_every_code_point
  older_cpus_skip=tokenizer,json,image,hostile,batch_cut,_config_,search_amx,search_nan,search_float32_cosine
  for run in "max i8mm $sweeps" "cortex-a76 dotprod $older_cpus_skip" "cortex-a53 neon $older_cpus_skip"; do
    read -r cpu level skip <<<"$run"
    part=$SECONDS
    echo "# arm64 native: -cpu $cpu (expect $level; skipping $skip)"
    SENTENCEKIT_EXPECT_CPU_LEVEL=$level SENTENCEKIT_TEST_SKIP=$skip "$qemu" -cpu "$cpu" -L "$sysroot" "$tests"
    echo "# arm64 native: -cpu $cpu: $((SECONDS - part)) s"
  done
fi

if wants node; then
  part=$SECONDS
  # tsx's esbuild is the x64 binary: qemu-user hands the exec of an x86-64 program to the host
  # kernel, so the arm64 node can run it as its transpiler.
  export ESBUILD_BINARY_PATH=$PWD/node_modules/@esbuild/linux-x64/bin/esbuild
  export SENTENCEKIT_NATIVE=$PWD/packages/linux-arm64-gnu/sentencekit.node
  node=("$qemu" -cpu max -L "$sysroot" "$sysroot/usr/bin/node")
  # The addon loads in arm64 node and reports the emulated CPU's level and kernels (qemu-user
  # shows the host's /proc/cpuinfo, so kernel-selection.test.ts's expectation cannot run here).
  "${node[@]}" -e '
    const info = require(process.env.SENTENCEKIT_NATIVE).runtimeInfo();
    console.log(process.arch, process.version, JSON.stringify(info));
    const want = { cpuLevel: "i8mm", int8EngineKernel: "i8mm", bf16x3EngineKernel: "neon" };
    for (const [key, value] of Object.entries(want)) if (info[key] !== value) throw new Error(`${key}: ${info[key]}, expected ${value}`);'
  # What a user of the package runs first, on the addon's own kernels: encode (ONNX Runtime and
  # the int8 / bf16x3 engines: matrix is the parity table of both), similarity, search,
  # quantization, tokenization.
  unit='^(sentence-transformer|similarity|search|quantization|tokenize|engine)\.test\.ts$'
  parity='^(sentence-transformer|matrix|static-embedding|cross-encoder)\.parity\.test\.ts$'
  "${node[@]}" node_modules/uvu/bin.js test/unit "$unit" -r tsx/cjs
  "${node[@]}" node_modules/uvu/bin.js test/parity "$parity" -r tsx/cjs
  echo "# arm64 node: $((SECONDS - part)) s"
fi
