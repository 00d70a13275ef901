#!/usr/bin/env bash
# push and pull of a ~200 MB image to/from a local docker-registry (127.0.0.1), kiln side by
# side with podman 4.3.1, medians of BENCH_RUNS cold runs each. Prints Markdown for docs/benchmarks.md.
#
# Cold means: push from a store that has never compressed the layer, to an empty registry
# (a new registry per run, so no blob is skipped and podman's blob-info cache cannot mount);
# pull into a store without the image (kiln: a fresh store; podman: after `rmi -a -f`).
# The image: busybox plus a 200 MB file, half random bytes and half text, imported into both.
#
# Then the floors, measured in the same runs on the layer blob kiln pushed: a plain curl
# upload of it to an empty registry (POST + monolithic PUT, and POST + chunked PATCH + PUT
# as kiln and podman send it), a plain curl download of it, ISA-L's igzip (if installed)
# compressing the layer tar and decompressing the blob, sha256 of the tar and tar(1)
# extracting it. Nothing kiln does can take less than the registry's own part.
#
# usage: bench/registry.sh [KILN_BINARY]     env: BENCH_RUNS (default 3), BENCH_MB (200)
set -euo pipefail
KILN_BIN=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-3}
MB=${BENCH_MB:-200}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /var/tmp/kiln-bench-reg.XXXXXX)
prun=$(mktemp -d /tmp/kbrg.XXXXXX)
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  for m in "$work"/p*/overlay; do mountpoint -q "$m" 2>/dev/null && umount "$m" || true; done
  rm -rf "$work" "$prun"
}
trap cleanup EXIT
bash "$(dirname "$0")/../scripts/podman-conf.sh" "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
unset REGISTRY_AUTH_FILE
have_podman=0; command -v podman >/dev/null && have_podman=1

k() { local s=$1; shift; "$KILN_BIN" --root "$work/k-$s" --runroot "$work/kr-$s" "$@"; }
p() { podman --root "$work/p" --runroot "$prun" "$@"; }
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_registry() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  port=$(python3 "$here/../tests/e2e/registry-tool.py" free-port)
  rm -rf "$work/reg"; mkdir -p "$work/reg"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/reg" "$port" > "$work/reg.yml"
  docker-registry serve "$work/reg.yml" >/dev/null 2>&1 &
  reg_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.05; done
  REG=localhost:$port
}

# The rootfs: busybox + MB of data (half /dev/urandom, half repetitive text).
bash "$here/../scripts/busybox-rootfs.sh" "$work/bb.tar"
mkdir -p "$work/rootfs"; tar -xf "$work/bb.tar" -C "$work/rootfs"
head -c $((MB / 2 * 1024 * 1024)) /dev/urandom > "$work/rootfs/random.bin"
yes "kiln registry benchmark line of text, compressible" | head -c $((MB / 2 * 1024 * 1024)) > "$work/rootfs/text.txt" || true  # yes dies of SIGPIPE
tar -C "$work/rootfs" -cf "$work/big.tar" .
rm -rf "$work/rootfs"

# ms that "$@" takes
timed() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); ms "$t0" "$t1"; }
url() { echo "http://127.0.0.1:${REG#localhost:}$1"; }
upload_location() {  # POST: the upload URL
  curl -sf -i -X POST "$(url /v2/floor/blobs/uploads/)" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}'
}
put_monolithic() { curl -sf -X PUT -H 'Content-Type: application/octet-stream' -T "$1" "$(upload_location)&digest=$2" -o /dev/null; }
put_chunked() {
  local loc
  loc=$(curl -sf -i -X PATCH -H 'Content-Type: application/octet-stream' -H 'Transfer-Encoding: chunked' -T "$1" \
    "$(upload_location)" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
  curl -sf -X PUT "$loc&digest=$2" -o /dev/null
}
extract() { rm -rf "$work/x"; mkdir "$work/x"; tar -xf "$1" -C "$work/x"; }
have_igzip=0; command -v igzip >/dev/null && have_igzip=1
# The compressed layer as kiln pushed it (kept from the first run).
fetch_layer() {
  [ -f "$work/layer.gz" ] && return
  layer=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$(url /v2/big/manifests/k)" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  curl -sf "$(url "/v2/big/blobs/$layer")" -o "$work/layer.gz"
}
floors() {
  fetch_layer
  start_registry
  fput+=("$(timed put_monolithic "$work/layer.gz" "$layer")")
  start_registry
  fpatch+=("$(timed put_chunked "$work/layer.gz" "$layer")")
  fget+=("$(timed curl -sf "$(url "/v2/floor/blobs/$layer")" -o /dev/null)")
  fgetf+=("$(timed curl -sf "$(url "/v2/floor/blobs/$layer")" -o "$work/dl.gz")")
  fsha+=("$(timed openssl dgst -sha256 "$work/big.tar")")
  ftar+=("$(timed extract "$work/big.tar")")
  if [ $have_igzip = 1 ]; then
    fgz+=("$(timed igzip -1 -c "$work/big.tar")")
    fgunz+=("$(timed igzip -d -c "$work/layer.gz")")
  fi
}

declare -a kpush kpull ppush ppull fput fpatch fget fgetf fsha ftar fgz fgunz
for i in $(seq 1 "$RUNS"); do
  start_registry
  rm -rf "$work/k-src"; k src import -q "$work/big.tar" localhost/big:1 >/dev/null
  t0=$(now); k src push -q --tls-verify=false localhost/big:1 "$REG/big:k"; t1=$(now)
  kpush+=("$(ms "$t0" "$t1")")
  rm -rf "$work/k-dst"
  t0=$(now); k dst pull -q --tls-verify=false "$REG/big:k" >/dev/null; t1=$(now)
  kpull+=("$(ms "$t0" "$t1")")
  if [ $have_podman = 1 ]; then
    p rmi -a -f >/dev/null 2>&1 || true
    p import -q "$work/big.tar" localhost/big:1 >/dev/null
    t0=$(now); p push -q --tls-verify=false localhost/big:1 "$REG/big:p"; t1=$(now)
    ppush+=("$(ms "$t0" "$t1")")
    p rmi -a -f >/dev/null 2>&1
    t0=$(now); p pull -q --tls-verify=false "$REG/big:p" >/dev/null; t1=$(now)
    ppull+=("$(ms "$t0" "$t1")")
  fi
  floors
done

row() {
  local name=$1 kv pv
  kv=$(printf '%s\n' "${@:2:$RUNS}" | median)
  shift $((RUNS + 1))
  if [ $have_podman = 1 ]; then
    pv=$(printf '%s\n' "$@" | median)
    printf '| %s | %s | %s | %s |\n' "$name" "$pv" "$kv" "$(awk -v a="$kv" -v b="$pv" 'BEGIN {printf "%.2f", a / b}')"
  else
    printf '| %s | — | %s | — |\n' "$name" "$kv"
  fi
}
echo "| ${MB} MB image, local registry (medians of $RUNS, ms) | podman 4.3.1 | kiln | kiln / podman |"
echo "|---|---|---|---|"
row "push (compress + upload, empty registry)" "${kpush[@]}" "${ppush[@]:-}"
row "pull (download + verify + extract, empty store)" "${kpull[@]}" "${ppull[@]:-}"

mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.0f MB", b / 1e6}'; }
floor() { printf '| %s | %s |\n' "$1" "$(printf '%s\n' "${@:2}" | median)"; }
echo
echo "| floors, same runs (medians, ms) | ms |"
echo "|---|---|"
floor "curl upload of the compressed layer ($(mb "$work/layer.gz")) to an empty registry: POST + monolithic PUT" "${fput[@]}"
floor "the same as POST + chunked PATCH + PUT" "${fpatch[@]}"
floor "curl download of it to /dev/null" "${fget[@]}"
floor "curl download of it to a file" "${fgetf[@]}"
if [ $have_igzip = 1 ]; then
  floor "igzip -1 of the layer tar ($(mb "$work/big.tar")), one thread" "${fgz[@]}"
  floor "igzip -d of the compressed layer" "${fgunz[@]}"
fi
floor "sha256 of the layer tar (openssl dgst)" "${fsha[@]}"
floor "tar -x of the layer tar (no fsync)" "${ftar[@]}"

# The goal: kiln within 1.15x of what no client can go below — the registry's ingest of a
# plain upload (push) and tar(1) extracting the layer (pull) — medians of the same runs.
med() { printf '%s\n' "$@" | median; }
vs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "| kiln against the floors (medians, same runs) | kiln ms | floor ms | kiln / floor |"
echo "|---|---|---|---|"
echo "| push / curl upload, POST + monolithic PUT | $(med "${kpush[@]}") | $(med "${fput[@]}") | $(vs "$(med "${kpush[@]}")" "$(med "${fput[@]}")") |"
echo "| push / curl upload, POST + chunked PATCH + PUT | $(med "${kpush[@]}") | $(med "${fpatch[@]}") | $(vs "$(med "${kpush[@]}")" "$(med "${fpatch[@]}")") |"
echo "| pull / tar -x of the layer | $(med "${kpull[@]}") | $(med "${ftar[@]}") | $(vs "$(med "${kpull[@]}")" "$(med "${ftar[@]}")") |"
