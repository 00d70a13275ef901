#!/usr/bin/env bash
# image analyze of a Debian base image (issue 19: under 300 ms), timed with hyperfine.
# usage: bench/analyze.sh [KILN_BINARY] [ROOTFS_TAR]
#   ROOTFS_TAR: a Debian 12 minbase rootfs (default build/debian-bookworm.tar, which
#   scripts/debian-rootfs.sh makes with mmdebstrap where that script exists).
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
tar=${2:-build/debian-bookworm.tar}
[ -s "$tar" ] || { echo "no rootfs tar at $tar" >&2; exit 1; }
work=$(mktemp -d /tmp/kiln-bench-analyze.XXXXXX)
trap 'rm -rf "$work"' EXIT
k() { "$KILN_BIN" --root "$work/root" --runroot "$work/run" "$@"; }
k import -q "$tar" localhost/debian:12 >/dev/null
echo "files in the image: $(tar -tf "$tar" | wc -l)"
k image analyze localhost/debian:12 | sed -n '/^efficiency/,/^userWasted/p'
hyperfine --warmup 2 --runs "${BENCH_RUNS:-15}" --export-markdown /dev/stdout \
  "$KILN_BIN --root $work/root --runroot $work/run image analyze localhost/debian:12"
