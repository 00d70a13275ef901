#!/usr/bin/env bash
# Makes a Debian 12 (bookworm) minbase root filesystem tarball with mmdebstrap, Debian's own
# bootstrapper, from the archive apt uses on this machine. Unlike the busybox rootfs it has
# a package database (/var/lib/dpkg), which `kiln image sbom` and `kiln image scan` read.
# SOURCE_DATE_EPOCH (default: a fixed date) makes mmdebstrap's tar reproducible for the
# same set of packages. Takes about a minute: callers cache the result.
# usage: debian-rootfs.sh OUT.tar
set -euo pipefail
out=${1:?usage: debian-rootfs.sh OUT.tar}
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed (apt-get install mmdebstrap)" >&2; exit 1; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# --aptopt: this machine's apt may serve a dated snapshot of the archive, whose Release
# files apt would otherwise call expired.
mmdebstrap --quiet --variant=minbase --format=tar \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  bookworm "$tmp" "deb http://deb.debian.org/debian bookworm main"
mv "$tmp" "$out"
