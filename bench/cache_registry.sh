#!/usr/bin/env bash
# A CI runner with an empty store, building a project another runner already built and
# pushed to a shared registry cache: kiln `build --cache-from` side by side with podman 4.3.1's
# `build --cache-from`, and with a cold build (no cache at all), in one run. The registry is
# Debian's docker-registry on 127.0.0.1; the project is bench/build.sh's (busybox + 3 RUN +
# COPY of a 50 MB file + COPY of 2000 small files).
#
#   cold        empty store, no cache: every step built
#   cache-from  empty store (busybox only), every step pulled from the registry cache that
#               "runner A" filled with --cache-to (kiln and podman each in their own repository)
#
# Each timed run starts from an empty store (hyperfine --prepare: store removed, busybox
# imported; not timed). Prints a Markdown table for docs/benchmarks.md (median ms of BENCH_RUNS).
#
# usage: bench/cache_registry.sh [KILN_BINARY]     env: BENCH_RUNS (default 5)
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /var/tmp/kiln-cbench.XXXXXX)
prun=$(mktemp -d /tmp/kcb.XXXXXX)  # podman wants a short runroot
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  for s in pa pb; do podman --root "$work/$s" --runroot "$prun/$s" system reset -f >/dev/null 2>&1 || true; done
  mount | awk -v d="$work" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "$work" "$prun"
}
trap cleanup EXIT
bash "$here/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf
: > "$CONTAINERS_REGISTRIES_CONF"
unset REGISTRY_AUTH_FILE

port=$(python3 "$here/../tests/e2e/registry-tool.py" free-port)
mkdir -p "$work/reg"
printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/reg" "$port" > "$work/reg.yml"
docker-registry serve "$work/reg.yml" >/dev/null 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.05; done
REG=localhost:$port

# The project, and runner B's checkout of it (another directory).
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
cp -r --preserve=mode "$ctx" "$work/ctx-b"
tar=$work/busybox.tar
bash "$here/../scripts/busybox-rootfs.sh" "$tar"

KA="$KILN_BIN --root $work/ka --runroot $work/kar"
KB="$KILN_BIN --root $work/kb --runroot $work/kbr"
PA="podman --root $work/pa --runroot $prun/pa"
PB="podman --root $work/pb --runroot $prun/pb"
k_reset="bash -c 'rm -rf $work/kb $work/kbr; $KB import -q $tar localhost/busybox:latest >/dev/null'"
p_reset="bash -c '$PB system reset -f >/dev/null 2>&1; $PB import -q $tar localhost/busybox:latest >/dev/null'"

# Runner A fills the cache.
$KA import -q "$tar" localhost/busybox:latest >/dev/null
$KA build -q --tls-verify=false --cache-to "$REG/kiln-cache" -t app "$ctx" >/dev/null
have_podman=0
if command -v podman >/dev/null; then
  have_podman=1
  $PA import -q "$tar" localhost/busybox:latest >/dev/null
  $PA build -q --tls-verify=false --cache-to "$REG/podman-cache" -t app "$ctx" >/dev/null
fi

median_ms() {  # median_ms PREPARE COMMAND
  local json="$work/h.json"
  hyperfine -N --runs "$RUNS" --prepare "$1" --export-json "$json" "$2" >/dev/null 2>&1
  jq -r '.results[0].median * 1000 | floor' "$json"
}

# Each cache-from run must hit every step: checked once, outside the timing.
eval "$k_reset"
hits=$($KB build --tls-verify=false --cache-from "$REG/kiln-cache" -t app "$work/ctx-b" | grep -c '^--> Using cache' || true)
[ "$hits" -eq 5 ] || { echo "kiln --cache-from hit $hits of 5 steps" >&2; exit 1; }

k_cold=$(median_ms "$k_reset" "$KB build -q -t app $work/ctx-b")
k_from=$(median_ms "$k_reset" "$KB build -q --tls-verify=false --cache-from $REG/kiln-cache -t app $work/ctx-b")
p_cold= p_from=
if [ $have_podman = 1 ]; then
  eval "$p_reset"
  hits=$($PB build --tls-verify=false --cache-from "$REG/podman-cache" -t app "$work/ctx-b" 2>/dev/null | grep -c '^--> Using cache' || true)
  [ "$hits" -eq 5 ] || echo "note: podman --cache-from hit $hits of 5 steps" >&2
  p_cold=$(median_ms "$p_reset" "$PB build -q -t app $work/ctx-b")
  p_from=$(median_ms "$p_reset" "$PB build -q --tls-verify=false --cache-from $REG/podman-cache -t app $work/ctx-b")
fi

ratio() { { [ -z "${1:-}" ] || [ -z "${2:-}" ]; } && echo NA || awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "| runner B, empty store (busybox + 3 RUN + COPY 50 MB + COPY 2000 files) | kiln ms | podman ms | kiln / podman |"
echo "|---|---|---|---|"
echo "| cold build, no cache | $k_cold | ${p_cold:-NA} | $(ratio "$k_cold" "$p_cold") |"
echo "| \`--cache-from\` the registry (every step hits) | $k_from | ${p_from:-NA} | $(ratio "$k_from" "$p_from") |"
echo "| cache-from / cold | $(ratio "$k_from" "$k_cold") | $(ratio "${p_from:-}" "${p_cold:-}") | |"
