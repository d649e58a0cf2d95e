#!/usr/bin/env bash
# An arm64 Debian sysroot for the aarch64 tests (issue 17): Debian 12's nodejs:arm64 and the
# libraries it and our binaries load, unpacked with dpkg -x, not installed: nodejs:arm64 cannot
# be installed beside the x64 node. qemu-user runs programs against it with
# `qemu-aarch64-static -L <sysroot>`.
#   bash test/arm64/sysroot.sh [folder]   (default build-cross/arm64-sysroot; prints the folder)
# apt reads a private arm64-only configuration (its own sources and package lists, as
# scripts/fetch-pcre2-source.sh does), so the machine needs no `dpkg --add-architecture arm64`
# and its apt state is left as it is. Installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
sysroot=$(realpath -m "${1:-build-cross/arm64-sysroot}")
stamp="$sysroot/.complete"

# qemu-user shows the host's /proc/cpuinfo, an x86 one, but looks a path up under -L's folder
# first. ONNX Runtime's static initializers (pytorch/cpuinfo) read it and crash in dlopen on x86
# contents, so the sysroot carries what an Arm Neoverse N1 (Graviton 2) reports, one entry per
# host CPU as /sys/devices/system/cpu (the host's, also read) lists them. The instruction set
# itself comes from the emulated CPU (getauxval's HWCAPs), for ONNX Runtime and our dispatch alike.
write_cpuinfo() {
  mkdir -p "$sysroot/proc"
  local cpu
  for ((cpu = 0; cpu < $(nproc --all); cpu++)); do
    printf 'processor\t: %d\nBogoMIPS\t: 50.00\n' "$cpu"
    printf 'Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n'
    printf 'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n'
  done >"$sysroot/proc/cpuinfo"
}

if [[ -f $stamp ]]; then write_cpuinfo; echo "$sysroot"; exit 0; fi

# nodejs and the Depends of nodejs and libnode108 (apt-cache depends nodejs:arm64 libnode108:arm64),
# the JavaScript ones (arch all) included: Debian's node loads acorn, cjs-module-lexer and undici
# from /usr/share/nodejs. The addon and the native tests need only libc6 (libc++ is linked in).
packages=(nodejs libnode108 libc6 libgcc-s1 libstdc++6 libuv1 libbrotli1 libc-ares2 libicu72
  libnghttp2-14 libssl3 zlib1g node-acorn node-cjs-module-lexer node-undici)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
cat >"$work/parts/debian-arm64.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_options=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root"
  -o "APT::Architecture=arm64" -o "APT::Architectures::=arm64")
apt-get "${apt_options[@]}" -qq update
(cd "$work/debs" && apt-get "${apt_options[@]}" -qq download "${packages[@]}")
mkdir -p "$sysroot"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$sysroot"; done
write_cpuinfo
touch "$stamp"
echo "$sysroot"
