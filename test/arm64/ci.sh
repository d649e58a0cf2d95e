#!/usr/bin/env bash
# The arm64 checks as one CI stage (issue 17): installs what they need, then test/arm64/run.sh
# (the linux-arm64-gnu cross build with its native tests, the native suite under qemu-user at
# three CPU levels, the addon in Debian's arm64 node with the unit + parity subset), all under
# one time limit so a hung emulated process cannot stall CI.
#   bash test/arm64/ci.sh            (ARM64_CI_LIMIT seconds, default 1200)
# Needs: root or sudo for apt-get (qemu-user-static), network to deb.debian.org (the sysroot,
# through a private apt configuration: the machine's apt state is left as it is).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static
fi
bash test/arm64/sysroot.sh >/dev/null
echo "# arm64 ci: qemu and sysroot ready in $((SECONDS - started)) s"

timeout --kill-after=30 "${ARM64_CI_LIMIT:-1200}" bash test/arm64/run.sh
echo "# arm64 ci: $((SECONDS - started)) s"
