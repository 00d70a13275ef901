#!/usr/bin/env bash
# Side-by-side benchmarks of kiln's image commands against podman 4.3.1, measured in the
# same run with hyperfine, reported as ratios (kiln / podman). Results go to stdout as a
# Markdown table; docs/benchmarks.md records them.
#
# usage: bench/run.sh [KILN_BINARY]
#   env: BENCH_SMALL=25 BENCH_LARGE=1000 (images in the two stores), BENCH_RUNS=15
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
SMALL=${BENCH_SMALL:-25}
LARGE=${BENCH_LARGE:-1000}
RUNS=${BENCH_RUNS:-15}
work=$(mktemp -d /tmp/kiln-bench.XXXXXX)
# podman can leave its overlay mount behind; unmount before removing the stores.
cleanup() {
  mount | awk -v d="$work" '$3 ~ "^" d { print $3 }' | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
tar="$work/busybox.tar"
bash "$(dirname "$0")/../scripts/busybox-rootfs.sh" "$tar"

bash "$(dirname "$0")/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
have_podman=0; command -v podman >/dev/null && have_podman=1

k() { local s=$1; shift; "$KILN_BIN" --root "$work/k-$s" --runroot "$work/kr-$s" "$@"; }
p() { local s=$1; shift; podman --root "$work/p-$s" --runroot "$work/pr-$s" "$@"; }
K() { echo "$KILN_BIN --root $work/k-$1 --runroot $work/kr-$1"; }
P() { echo "podman --root $work/p-$1 --runroot $work/pr-$1"; }

# A store of n distinct images (one shared layer, a different ENV each) with names.
fill() {
  local tool=$1 store=$2 n=$3
  for i in $(seq 1 "$n"); do
    $tool "$store" import -q --change "ENV N=$i" "$tar" "bench/img$i:v$i" >/dev/null
  done
}

echo "preparing stores (kiln: $SMALL and $LARGE images; podman: $SMALL and $LARGE)…" >&2
fill k small "$SMALL"
fill k large "$LARGE"
if [ $have_podman = 1 ]; then
  fill p small "$SMALL"
  [ "${BENCH_SKIP_PODMAN_LARGE:-0}" = 1 ] || fill p large "$LARGE"
fi

# median seconds of a command, via hyperfine's JSON export
median() {
  local name=$1 prepare=$2 cmd=$3 runs=${4:-$RUNS} warmup=${5:-2}
  local json="$work/$name.json"
  hyperfine -N --warmup "$warmup" --runs "$runs" ${prepare:+--prepare "$prepare"} --export-json "$json" "$cmd" >/dev/null 2>&1
  jq -r '.results[0].median' "$json"
}

# PODMAN_RUNS/PODMAN_WARMUP: podman's listing of a large store takes over a minute a run.
row() {
  local label=$1 kprep=$2 kcmd=$3 pprep=$4 pcmd=$5
  local km pm ratio
  km=$(median "k-$label" "$kprep" "$kcmd")
  if [ $have_podman = 1 ]; then
    pm=$(median "p-$label" "$pprep" "$pcmd" "${PODMAN_RUNS:-$RUNS}" "${PODMAN_WARMUP:-2}")
    ratio=$(awk -v a="$km" -v b="$pm" 'BEGIN { printf "%.3f", a / b }')
    printf '| %s | %.1f | %.1f | %s |\n' "$label" "$(awk -v x="$km" 'BEGIN{print x*1000}')" \
      "$(awk -v x="$pm" 'BEGIN{print x*1000}')" "$ratio"
  else
    printf '| %s | %.1f | — | — |\n' "$label" "$(awk -v x="$km" 'BEGIN{print x*1000}')"
  fi
}

# Start-up, against the floor of any dynamically linked program: /bin/true. Both take about a
# millisecond, so the machine's drift matters: 7 rounds of 100 runs each, in turn, and the
# median of the rounds' ratios.
startup() {
  local rows=$work/startup.txt
  : > "$rows"
  for _ in 1 2 3 4 5 6 7; do
    echo "$(median k-version "" "$KILN_BIN --version" 100 10) $(median true "" "/bin/true" 100 10)" >> "$rows"
  done
  sort -n "$rows" | awk '{k[NR]=$1} END {printf "%.2f ", k[int((NR+1)/2)]*1000}'
  awk '{print $2}' "$rows" | sort -n | awk '{t[NR]=$1} END {printf "%.2f ", t[int((NR+1)/2)]*1000}'
  awk '{print $1/$2}' "$rows" | sort -n | awk '{r[NR]=$1} END {printf "%.2f\n", r[int((NR+1)/2)]}'
}
read -r kv tv ratio < <(startup)
echo "| start-up (medians of 7 rounds of 100 runs) | kiln ms | /bin/true ms | kiln / true |"
echo "|---|---|---|---|"
echo "| \`kiln --version\` | $kv | $tv | $ratio |"
echo

echo "| operation | kiln ms (median) | podman ms (median) | kiln / podman |"
echo "|---|---|---|---|"
row "images ($SMALL images)" "" "$(K small) images" "" "$(P small) images"
# podman needs minutes for one listing of a large store (7 min for 1000 images here), so
# it is timed once, and the -q/--format variants only for kiln.
have_podman_saved=$have_podman
[ "${BENCH_SKIP_PODMAN_LARGE:-0}" = 1 ] && have_podman=0
PODMAN_RUNS=${BENCH_PODMAN_LARGE_RUNS:-1} PODMAN_WARMUP=0 \
  row "images ($LARGE images)" "" "$(K large) images" "" "$(P large) images"
have_podman=0
row "images -q ($LARGE images)" "" "$(K large) images -q" "" ""
row "images --format ($LARGE images)" "" "$(K large) images --format {{.Repository}}:{{.Tag}}" "" ""
have_podman=$have_podman_saved
row "inspect" "" "$(K small) inspect bench/img1:v1" "" "$(P small) inspect bench/img1:v1"
row "inspect --format" "" "$(K small) inspect --format {{.Id}} bench/img1:v1" "" \
    "$(P small) inspect --format {{.Id}} bench/img1:v1"
row "rmi (delete an image)" "$(K small) import -q --change 'ENV X=1' $tar gone" "$(K small) rmi gone" \
    "$(P small) import -q --change 'ENV X=1' $tar gone" "$(P small) rmi gone"
row "image prune (one dangling)" "$(K small) import -q --change 'ENV Y=1' $tar" "$(K small) image prune -f" \
    "$(P small) import -q --change 'ENV Y=1' $tar" "$(P small) image prune -f"
row "import busybox" "" "$(K small) import -q $tar bench/import" "" "$(P small) import -q $tar bench/import"
