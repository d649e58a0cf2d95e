#!/usr/bin/env bash
# PCRE2's sources for the cross builds (scripts/prebuild.mjs) in deps/pcre2-src: Debian's own
# source package (pcre2 10.42, the version libpcre2-dev gives the native build), fetched by apt
# from a private sources list (the machine's apt configuration is left as it is) and checked
# against the sha256 in its .dsc. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
out=deps/pcre2-src
version=10.42
if [[ -f $out/src/pcre2.h.generic ]]; then exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial"
cat >"$work/parts/debian-src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_options=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
apt-get "${apt_options[@]}" -qq update
(cd "$work" && apt-get "${apt_options[@]}" -qq source --download-only "pcre2=$version-1")
tarball="$work/pcre2_$version.orig.tar.gz"
expected=$(awk '/^Checksums-Sha256:/{on=1;next} on && /orig.tar.gz$/{print $1; exit}' "$work/pcre2_$version-1.dsc")
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [[ -z $expected || $expected != "$actual" ]]; then
  echo "fetch-pcre2-source: sha256 of $tarball is $actual, the .dsc says '$expected'" >&2
  exit 1
fi
rm -rf "$out" && mkdir -p "$out"
tar -xzf "$tarball" -C "$out" --strip-components=1
echo "fetch-pcre2-source: PCRE2 $version sources in $out"
