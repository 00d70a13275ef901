#!/usr/bin/env bash
# kiln build side by side with podman 4.3.1 and (when dockerd is installed: Debian's docker.io,
# `BENCH_INSTALL_DOCKER=1` installs it) docker 20.10 with BuildKit, on the issue's project:
# busybox + 3 RUN + COPY of a 50 MB file + COPY of 2000 small files.
#   cold      every step built (the cache emptied before each run)
#   cached    nothing changed: every step from the cache
#   one-file  one small file changed: the small-files COPY and what follows rebuilt
# Prints a Markdown table for docs/benchmarks.md (median ms of BENCH_RUNS runs).
#
# usage: bench/build.sh [KILN_BINARY]      env: BENCH_RUNS (default 5)
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-5}
work=$(mktemp -d /tmp/kiln-bbench.XXXXXX)
pm_run=$(mktemp -d /tmp/kbb.XXXXXX)  # podman wants a short runroot
source "$(dirname "$0")/dockerd.sh"
cleanup() {
  podman --root "$work/p" --runroot "$pm_run" system reset -f >/dev/null 2>&1 || true
  stop_dockerd
  mount | awk -v d="$work" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "$work" "$pm_run"
}
trap cleanup EXIT

# The project.
ctx=$work/ctx
mkdir -p "$ctx/small"
head -c $((50 * 1024 * 1024)) /dev/urandom > "$ctx/big.bin"
for i in $(seq 1 2000); do echo "file $i" > "$ctx/small/f$i.txt"; done
cat > "$ctx/Containerfile" <<'CF'
FROM localhost/busybox
RUN echo one > /one
RUN echo two > /two
RUN echo three > /three
COPY big.bin /data/big.bin
COPY small/ /data/small/
CF

tar=$work/busybox.tar
bash "$(dirname "$0")/../scripts/busybox-rootfs.sh" "$tar"
bash "$(dirname "$0")/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
K="$KILN_BIN --root $work/k --runroot $work/kr"
P="podman --root $work/p --runroot $pm_run"
$K import -q "$tar" localhost/busybox:latest >/dev/null

median_ms() {  # median_ms PREPARE COMMAND
  local json="$work/h.json"
  hyperfine -N --runs "$RUNS" --prepare "$1" --export-json "$json" "$2" >/dev/null 2>&1
  jq -r '.results[0].median * 1000 | floor' "$json"
}

declare -A ms
bench_tool() {  # bench_tool NAME BUILD_CMD RESET_CMD
  local name=$1 build=$2 reset=$3
  ms[$name,cold]=$(median_ms "$reset" "$build")
  $build >/dev/null 2>&1
  ms[$name,cached]=$(median_ms "true" "$build")
  ms[$name,one]=$(median_ms "bash -c 'echo changed \$RANDOM\$RANDOM > $ctx/small/f1.txt'" "$build")
}

bench_tool kiln "$K build -q -t bench:1 $ctx" \
  "bash -c '$K rmi -a -f >/dev/null 2>&1; $K import -q $tar localhost/busybox:latest >/dev/null'"

have_podman=0
if command -v podman >/dev/null; then
  have_podman=1
  $P import -q "$tar" localhost/busybox:latest >/dev/null
  bench_tool podman "$P build -q -t bench:1 $ctx" \
    "bash -c '$P rmi -a -f >/dev/null 2>&1; $P import -q $tar localhost/busybox:latest >/dev/null'"
fi

have_docker=0
if start_dockerd "$work"; then
  have_docker=1
  export DOCKER_BUILDKIT=1
  /usr/bin/docker import "$tar" localhost/busybox:latest >/dev/null
  D="/usr/bin/docker build -q --network host -f $ctx/Containerfile -t bench:1 $ctx"
  bench_tool docker "$D" "bash -c '/usr/bin/docker builder prune -af >/dev/null 2>&1; /usr/bin/docker rmi -f bench:1 >/dev/null 2>&1 || true'"
fi

ratio() { [ -z "${2:-}" ] && echo NA || awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "| build (busybox + 3 RUN + COPY 50 MB + COPY 2000 files) | kiln ms | podman ms | BuildKit ms | kiln / podman | kiln / BuildKit |"
echo "|---|---|---|---|---|---|"
for kind in cold cached one; do
  p=${ms[podman,$kind]:-}; d=${ms[docker,$kind]:-}
  label=$kind; [ $kind = one ] && label="one small file changed"
  echo "| $label | ${ms[kiln,$kind]} | ${p:-NA} | ${d:-NA} | $(ratio "${ms[kiln,$kind]}" "$p") | $(ratio "${ms[kiln,$kind]}" "$d") |"
done
