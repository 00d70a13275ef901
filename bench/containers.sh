#!/usr/bin/env bash
# Start-to-exit of `run --rm busybox true` (and a detached run + stop) for kiln's two
# isolations and podman 4.3.1 (runc, cgroupfs), side by side in one run with hyperfine.
# Prints a Markdown table for docs/benchmarks.md.
#
# usage: bench/containers.sh [KILN_BINARY]      env: BENCH_RUNS (default 30)
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-30}
work=$(mktemp -d /tmp/kiln-cbench.XXXXXX)
pm_run=$(mktemp -d /tmp/kcb.XXXXXX)  # podman wants a short runroot
cleanup() {
  "$KILN_BIN" --root "$work/k" --runroot "$work/kr" rm -a -f -t 0 >/dev/null 2>&1 || true
  podman --root "$work/p" --runroot "$pm_run" rm -a -f -t 0 >/dev/null 2>&1 || true
  podman --root "$work/p" --runroot "$pm_run" system reset -f >/dev/null 2>&1 || true
  rm -rf "$work" "$pm_run"
}
trap cleanup EXIT
tar="$work/busybox.tar"
bash "$(dirname "$0")/../scripts/busybox-rootfs.sh" "$tar"
bash "$(dirname "$0")/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
K="$KILN_BIN --root $work/k --runroot $work/kr"
P="podman --root $work/p --runroot $pm_run"
$K import -q "$tar" busybox >/dev/null
have_podman=0
if command -v podman >/dev/null; then have_podman=1; $P import -q "$tar" busybox >/dev/null; fi

median_ms() {
  local json="$work/h.json"
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$json" "$@" >/dev/null 2>&1
  jq -r '.results[0].median * 1000 | floor' "$json"
}

pm_ms=NA
[ $have_podman = 1 ] && pm_ms=$(median_ms "$P run --rm busybox true")
chroot_ms=$(median_ms "$K run --rm --isolation chroot busybox true")
oci_ms=$(median_ms "$K run --rm --isolation oci busybox true")
ratio() { [ "$pm_ms" = NA ] && echo NA || awk -v a="$1" -v b="$pm_ms" 'BEGIN{printf "%.2f", a/b}'; }
echo "| \`run --rm busybox true\` | ms (median of $RUNS) | / podman |"
echo "|---|---|---|"
[ $have_podman = 1 ] && echo "| podman 4.3.1 (runc, cgroupfs) | $pm_ms | 1.00 |"
echo "| kiln --isolation chroot (default) | $chroot_ms | $(ratio "$chroot_ms") |"
echo "| kiln --isolation oci (runc) | $oci_ms | $(ratio "$oci_ms") |"
