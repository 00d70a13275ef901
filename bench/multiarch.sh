#!/usr/bin/env bash
# A two-platform build, kiln side by side with podman 4.3.1 (issue 15): a COPY-only stage
# (FROM scratch: 20 MB and 500 small files) and a RUN stage on busybox that copies from it,
# built with `build --platform linux/amd64,linux/arm64 --manifest L --no-cache`. The arm64
# RUN goes through qemu-user-static's binfmt_misc registration (registered here when missing
# and run as root, as tests/e2e/181-multiarch.bats does). The list is removed before each run.
# Prints a Markdown table for docs/benchmarks.md (median ms of BENCH_RUNS runs) and the load.
#
# usage: bench/multiarch.sh [KILN_BINARY]      env: BENCH_RUNS (default 5)
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/kiln-mabench.XXXXXX)
pm_run=$(mktemp -d /tmp/kmb.XXXXXX)  # podman wants a short runroot
cleanup() {
  podman --root "$work/p" --runroot "$pm_run" system reset -f >/dev/null 2>&1 || true
  mount | awk -v d="$work" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "$work" "$pm_run"
}
trap cleanup EXIT

d=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-aarch64.conf
if ! grep -qs '^enabled' "$d/qemu-aarch64"; then
  [ -e "$d/register" ] || mount -t binfmt_misc binfmt_misc "$d"
  grep -v '^#' "$conf" > "$d/register"
fi

ctx=$work/ctx
mkdir -p "$ctx/data/small"
head -c $((20 * 1024 * 1024)) /dev/urandom > "$ctx/data/big.bin"
for i in $(seq 1 500); do echo "file $i" > "$ctx/data/small/f$i.txt"; done
cat > "$ctx/Containerfile" <<'CF'
FROM scratch AS files
COPY data/ /data/
FROM localhost/busybox
COPY --from=files /data /data
RUN uname -m > /arch && ls /data/small | wc -l > /count
CF

bash "$here/../scripts/busybox-rootfs.sh" "$work/bb-amd64.tar"
bash "$here/../scripts/busybox-arm64-rootfs.sh" "$work/bb-arm64.tar" >/dev/null
bash "$here/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
K="$KILN_BIN --root $work/k --runroot $work/kr"
P="podman --root $work/p --runroot $pm_run"
for tool in "$K" "$P"; do
  $tool import -q "$work/bb-amd64.tar" localhost/busybox-amd64 >/dev/null
  $tool import -q --arch arm64 "$work/bb-arm64.tar" localhost/busybox-arm64 >/dev/null
  $tool manifest create localhost/busybox containers-storage:localhost/busybox-amd64 \
    containers-storage:localhost/busybox-arm64 >/dev/null
done

median_ms() {  # median_ms PREPARE COMMAND
  local json="$work/h.json"
  hyperfine -N --runs "$RUNS" --prepare "$1" --export-json "$json" "$2" >/dev/null 2>&1
  jq -r '.results[0].median * 1000 | floor' "$json"
}

build="build -q --no-cache --platform linux/amd64,linux/arm64 --manifest localhost/app $ctx"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
kiln_ms=$(median_ms "bash -c '$K manifest rm localhost/app >/dev/null 2>&1 || true'" "$K $build")
kiln_seq_ms=$(median_ms "bash -c '$K manifest rm localhost/app >/dev/null 2>&1 || true'" "$K ${build/build /build --jobs 1 }")
podman_ms=$(median_ms "bash -c '$P manifest rm localhost/app >/dev/null 2>&1 || true'" "$P $build")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# Both built what was asked: two instances, arm64's RUN ran as aarch64.
for tool in "$K" "$P"; do
  n=$($tool manifest inspect localhost/app | grep -c '"digest"')
  [ "$n" = 2 ] || { echo "$tool: the list has $n instances" >&2; exit 1; }
done

ratio=$(awk -v k="$kiln_ms" -v p="$podman_ms" 'BEGIN { printf "%.2f", k / p }')
echo "load average before: $load_before, after: $load_after; $(nproc) CPUs; median of $RUNS runs"
echo
echo "| two-platform build (COPY-only stage + RUN stage, arm64 through qemu) | kiln ms | podman ms | kiln/podman | goal |"
echo "|---|---|---|---|---|"
echo "| \`build --platform linux/amd64,linux/arm64 --manifest L --no-cache\` | $kiln_ms | $podman_ms | ${ratio}× | ≤ 0.5× |"
echo "| the same, kiln \`--jobs 1\` (platforms in turn) | $kiln_seq_ms | $podman_ms | $(awk -v k="$kiln_seq_ms" -v p="$podman_ms" 'BEGIN { printf "%.2f", k / p }')× | |"
