#!/usr/bin/env bash
# save and load of a ~200 MB image, kiln side by side with podman 4.3.1 and (docker-archive
# only: docker has no OCI archives) docker 20.10 when dockerd is installed (Debian's docker.io;
# `BENCH_INSTALL_DOCKER=1` installs it), in the same run (hyperfine medians), for random data
# and for compressible text, docker-archive and oci-archive; then kiln's peak memory for a
# 1 GB image. Prints Markdown for docs/benchmarks.md.
#
# Fair starting points: `save` writes a new file each run; `load` starts from a store that
# does not have the image's layers (kiln: a fresh store; podman: after `rmi -a -f`, which
# deletes podman's layers at once; docker: after `rmi -f` of the image, its only one).
#
# usage: bench/save_load.sh [KILN_BINARY]     env: BENCH_RUNS (default 5), BENCH_MB (200)
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-5}
MB=${BENCH_MB:-200}
work=$(mktemp -d /var/tmp/kiln-bench-sl.XXXXXX)
prun=$(mktemp -d /tmp/kbsl.XXXXXX)  # podman wants a short runroot
source "$(dirname "$0")/dockerd.sh"
cleanup() {
  stop_dockerd
  for m in "$work"/p*/overlay "$work"/docker/*; do mountpoint -q "$m" 2>/dev/null && umount "$m" || true; done
  rm -rf "$work" "$prun"
}
trap cleanup EXIT
bash "$(dirname "$0")/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
have_podman=0; command -v podman >/dev/null && have_podman=1

K() { echo "$KILN_BIN --root $work/k-$1 --runroot $work/kr-$1"; }
P() { echo "podman --root $work/p-$1 --runroot $prun/$1"; }
D=/usr/bin/docker

have_docker=0
start_dockerd "$work" && have_docker=1

echo "making ${MB} MB rootfs tarballs (random, text)…" >&2
mkdir -p "$work/rnd" "$work/txt"
head -c "${MB}M" /dev/urandom > "$work/rnd/blob"
python3 - "$work/txt/text" "$MB" <<'PY'
import random, sys
random.seed(1)
words = [''.join(random.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(random.randint(2, 10))) for _ in range(5000)]
limit = int(sys.argv[2]) << 20
with open(sys.argv[1], 'w') as f:
    n = 0
    while n < limit:
        line = ' '.join(random.choice(words) for _ in range(12)) + '\n'
        f.write(line); n += len(line)
PY
for kind in rnd txt; do tar -C "$work/$kind" -cf "$work/$kind.tar" . && rm -rf "${work:?}/$kind"; done

for kind in rnd txt; do
  $(K src) import -q "$work/$kind.tar" "$kind" >/dev/null
  [ $have_podman = 1 ] && $(P src) import -q "$work/$kind.tar" "$kind" >/dev/null
done

median() {  # median seconds of: prepare, command
  local json=$work/h.json
  hyperfine -N --warmup 1 --runs "$RUNS" ${1:+--prepare "$1"} --export-json "$json" "$2" >/dev/null 2>&1
  jq -r '.results[0].median' "$json"
}
ms() { awk -v x="$1" 'BEGIN { printf "%.0f", x * 1000 }'; }

ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo —; }
ms_or_dash() { [ -n "$1" ] && ms "$1" || echo —; }

row() {  # label, kiln prepare, kiln cmd, podman prepare, podman cmd[, docker prepare, docker cmd]
  local km pm="" dm=""
  km=$(median "$2" "$3")
  [ $have_podman = 1 ] && pm=$(median "$4" "$5")
  [ $have_docker = 1 ] && [ -n "${7:-}" ] && dm=$(median "$6" "$7")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$(ms "$km")" "$(ms_or_dash "$pm")" "$(ms_or_dash "$dm")" \
    "$(ratio "$km" "$pm")" "$(ratio "$km" "$dm")"
}

echo "| operation (${MB} MB image) | kiln ms | podman ms | docker ms | kiln / podman | kiln / docker |"
echo "|---|---|---|---|---|---|"
for kind in rnd txt; do
  label=$([ $kind = rnd ] && echo "random data" || echo "text")
  for fmt in docker-archive oci-archive; do
    kout=$work/k-$kind-$fmt.tar pout=$work/p-$kind-$fmt.tar dout=$work/d-$kind.tar
    dsave=() dload=()
    if [ $fmt = docker-archive ] && [ $have_docker = 1 ]; then
      $(K src) save -q -o "$kout" $kind && $D load -q -i "$kout" >/dev/null  # the image, into docker
      dsave=("rm -f $dout" "$D save -o $dout localhost/$kind:latest")
      dload=("$D rmi -f localhost/$kind:latest" "$D load -q -i $kout")
    fi
    row "save $fmt, $label" "rm -f $kout" "$(K src) save -q --format $fmt -o $kout $kind" \
        "rm -f $pout" "$(P src) save -q --format $fmt -o $pout $kind" "${dsave[@]}"
    [ $have_podman = 1 ] || continue
    # all load the same (kiln-written) archive
    row "load $fmt, $label" "rm -rf $work/k-load $work/kr-load" "$(K load) load -q -i $kout" \
        "$(P load) rmi -a -f" "$(P load) load -q -i $kout" "${dload[@]}"
    # The cycle a user repeats: remove the image, load it again, in the same store (both
    # delete the layers at rmi). bash -c runs both halves; its start-up is on both sides.
    if [ $fmt = docker-archive ]; then
      row "rmi + load $fmt, $label" "" "bash -c '$(K load) rmi -a -f >/dev/null 2>&1; $(K load) load -q -i $kout'" \
          "" "bash -c '$(P load) rmi -a -f >/dev/null 2>&1; $(P load) load -q -i $kout'"
    fi
  done
done
printf '| plain copy of the %s MB archive (cp) | %s | | | | |\n' "$MB" \
  "$(ms "$(median "rm -f $work/copy" "cp $work/k-rnd-docker-archive.tar $work/copy")")"

echo
echo "peak memory (max RSS) of kiln for a 1 GB image:" >&2
mkdir -p "$work/big" && head -c 1G /dev/urandom > "$work/big/blob" && tar -C "$work/big" -cf "$work/big.tar" . && rm -rf "$work/big"
$(K mem) import -q "$work/big.tar" big >/dev/null
rm -f "$work/big.tar"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
echo "| kiln, 1 GB image | peak RSS |"
echo "|---|---|"
echo "| save docker-archive | $(rss $(K mem) save -q -o "$work/big-d.tar" big) KB |"
echo "| save oci-archive | $(rss $(K mem) save -q --format oci-archive -o "$work/big-o.tar" big) KB |"
echo "| load docker-archive | $(rss $(K mem2) load -q -i "$work/big-d.tar") KB |"
echo "| load oci-archive (gzip) | $(rss $(K mem3) load -q -i "$work/big-o.tar") KB |"
echo "| load docker-archive from stdin, zstd | $(zstd -q -1 -c "$work/big-d.tar" > "$work/big.tar.zst" && rss sh -c "$(K mem4) load -q < $work/big.tar.zst") KB |"
