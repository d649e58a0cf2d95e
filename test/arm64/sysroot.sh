#!/usr/bin/env bash
# An arm64 Debian sysroot for the aarch64 tests (issue 17): Debian 12's nodejs:arm64 and the
# libraries it and our binaries load, plus PCRE2's static library (the build links it), unpacked
# with dpkg -x, not installed: nodejs:arm64 cannot be installed beside the x64 node. qemu-user
# runs programs against it with `qemu-aarch64-static -L <sysroot>`.
#   bash test/arm64/sysroot.sh [folder]   (default build-cross/arm64-sysroot; prints the folder)
# Needs the arm64 architecture in apt (`dpkg --add-architecture arm64 && apt-get update`, which
# scripts/bootstrap.sh does in CI) to download; installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
sysroot=$(realpath -m "${1:-build-cross/arm64-sysroot}")
stamp="$sysroot/.complete"
if [[ -f $stamp ]]; then echo "$sysroot"; exit 0; fi

# nodejs and the Depends of nodejs and libnode108 (apt-cache depends nodejs:arm64 libnode108:arm64),
# the JavaScript ones (arch all) included: Debian's node loads acorn, cjs-module-lexer and undici
# from /usr/share/nodejs.
packages=(nodejs:arm64 libnode108:arm64 libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 libuv1:arm64
  libbrotli1:arm64 libc-ares2:arm64 libicu72:arm64 libnghttp2-14:arm64 libssl3:arm64 zlib1g:arm64
  node-acorn node-cjs-module-lexer node-undici libpcre2-8-0:arm64 libpcre2-dev:arm64)

debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
(cd "$debs" && apt-get download -qq "${packages[@]}")
mkdir -p "$sysroot"
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$sysroot"; done
touch "$stamp"
echo "$sysroot"
