#!/usr/bin/env bash
# kiln image sbom and image scan (issue 16's goals: under 200 ms and 1 s) on
#   debian     localhost/debian:bookworm (scripts/debian-rootfs.sh, build/debian-bookworm.tar)
#   synthetic  a busybox image with a 2000-package dpkg status (and a .list file each)
# scanned against tests/fixtures/osv plus 2000 synthetic advisories, one per package.
# Prints a Markdown table for docs/benchmarks.md (median ms of BENCH_RUNS runs, hyperfine).
#
# usage: bench/security.sh [KILN_BINARY]      env: BENCH_RUNS (default 10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-10}
work=$(mktemp -d /tmp/kiln-secbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
k() { "$KILN_BIN" --root "$work/root" --runroot "$work/run" "$@"; }

debian_tar=$here/../build/debian-bookworm.tar
[ -s "$debian_tar" ] || bash "$here/../scripts/debian-rootfs.sh" "$debian_tar"
k import -q "$debian_tar" localhost/debian:bookworm >/dev/null

# The synthetic image: busybox's rootfs plus a dpkg database of 2000 packages.
rootfs=$work/rootfs
mkdir -p "$rootfs"
bash "$here/../scripts/busybox-rootfs.sh" "$work/busybox.tar"
tar -xf "$work/busybox.tar" -C "$rootfs"
mkdir -p "$rootfs/var/lib/dpkg/info" "$rootfs/usr/lib/synthetic" "$rootfs/etc" "$work/osv"
printf 'ID=debian\nVERSION_ID="12"\n' > "$rootfs/etc/os-release"
for i in $(seq 1 2000); do
  printf 'Package: pkg%d\nStatus: install ok installed\nArchitecture: amd64\nSource: src%d\nVersion: 1.%d-1\n\n' "$i" "$i" "$i"
  printf '/usr/lib/synthetic/pkg%d.so\n' "$i" > "$rootfs/var/lib/dpkg/info/pkg$i.list"
  : > "$rootfs/usr/lib/synthetic/pkg$i.so"
  printf '{"id":"SYN-%d","affected":[{"package":{"ecosystem":"Debian:12","name":"src%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.%d-2"}]}]}]}\n' \
    "$i" "$i" "$i" > "$work/osv/SYN-$i.json"
done > "$rootfs/var/lib/dpkg/status"
cp "$here/../tests/fixtures/osv/debian/"*.json "$work/osv/"
tar -C "$rootfs" -cf "$work/synthetic.tar" .
k import -q "$work/synthetic.tar" localhost/synthetic:2000 >/dev/null
[ "$(k image sbom --format '{{.Name}}' localhost/synthetic:2000 | wc -l)" -eq 2000 ]
[ "$(k image scan --db "$work/osv" -n --format '{{.ID}}' localhost/synthetic:2000 | wc -l)" -eq 2000 ]

median_ms() {  # hyperfine's median of a command, in ms
  hyperfine -N --runs "$RUNS" --warmup 2 --export-json "$work/h.json" "$1" >/dev/null 2>&1
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000, 1))' "$work/h.json"
}
kc="$KILN_BIN --root $work/root --runroot $work/run"
echo "| image | packages | \`image sbom\` ms | \`image sbom --format spdx-json\` ms | \`image scan\` ms (advisories) |"
echo "|---|---|---|---|---|"
for img in localhost/debian:bookworm localhost/synthetic:2000; do
  n=$(k image sbom --format '{{.Name}}' "$img" | wc -l)
  db=$here/../tests/fixtures/osv; adv=4
  [ "$img" = localhost/synthetic:2000 ] && db=$work/osv && adv=2004
  echo "| $img | $n | $(median_ms "$kc image sbom $img") | $(median_ms "$kc image sbom --format spdx-json $img") | $(median_ms "$kc image scan --db $db $img") ($adv) |"
done
