#!/usr/bin/env bash
# Rootless kiln side by side with rootful kiln in one run (issue 14; goal: rootless ≤ 1.2×
# rootful), and rootless podman 4.3.1 where it works on the machine. Runs as root: creates
# a temporary user with a subordinate ID range (removed at the end) to run the rootless side.
#   cold      build of busybox + 3 RUN (one chown) + COPY of 2000 small files, cache emptied
#   cached    the same build again: every step from the cache
#   run       run --rm busybox true
# Prints a Markdown table for docs/benchmarks.md (median ms of BENCH_RUNS runs).
#
# usage: bench/rootless.sh [KILN_BINARY]      env: BENCH_RUNS (default 10)
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates the rootless user)" >&2; exit 1; }
KILN_SRC=$(readlink -f "${1:-build/kiln}")
RUNS=${BENCH_RUNS:-10}
user=kbench$$
work=$(mktemp -d /tmp/kiln-rlbench.XXXXXX)
chmod 755 "$work"
# Rootless podman's slirp4netns opens /dev/net/tun and fuse-overlayfs /dev/fuse: opened to
# users for the run (as udev does on an ordinary host), their modes restored at the end.
declare -A dev_mode=()
for dev in /dev/fuse /dev/net/tun; do
  [ -c "$dev" ] || continue
  dev_mode[$dev]=$(stat -c %a "$dev")
done
cleanup() {
  local dev
  for dev in "${!dev_mode[@]}"; do chmod "${dev_mode[$dev]}" "$dev"; done
  if id "$user" >/dev/null 2>&1; then
    as_user "$work/kiln" system migrate >/dev/null 2>&1 || true
    as_user podman system migrate >/dev/null 2>&1 || true
    pkill -KILL -u "$user" 2>/dev/null || true
    local uid
    uid=$(id -u "$user")
    userdel -r "$user" >/dev/null 2>&1 || true
    rm -rf "/tmp/kiln-$uid" "/tmp/podman-run-$uid" "/tmp/containers-user-$uid"
  fi
  mount | awk -v d="$work" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for dev in "${!dev_mode[@]}"; do chmod 0666 "$dev"; done

useradd -m -s /bin/sh "$user"
if ! grep -q "^$user:" /etc/subuid; then
  top=$(cat /etc/subuid /etc/subgid | awk -F: '{ e = $2 + $3; if (e > m) m = e } END { print (m > 300000 ? m : 300000) }')
  usermod --add-subuids "$top-$((top + 65535))" --add-subgids "$top-$((top + 65535))" "$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
as_user() {
  runuser -u "$user" -- env -i -C "$home" HOME="$home" USER="$user" LOGNAME="$user" \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin CONTAINERS_CONF="$work/containers.conf" "$@"
}

install -m 755 "$KILN_SRC" "$work/kiln"
bash "$(dirname "$0")/../scripts/busybox-rootfs.sh" "$work/busybox.tar"
chmod 644 "$work/busybox.tar"
bash "$(dirname "$0")/../scripts/podman-conf.sh" "$work/containers.conf"
chmod 644 "$work/containers.conf"
ctx=$work/ctx
mkdir -p "$ctx/small"
for i in $(seq 1 2000); do echo "file $i" > "$ctx/small/f$i.txt"; done
cat > "$ctx/Containerfile" <<'CF'
FROM localhost/busybox
RUN echo one > /one
RUN touch /owned && chown 123:456 /owned
RUN echo three > /three
COPY small/ /data/small/
CF
chmod -R a+rX "$ctx"

KR="$work/kiln --root $work/kroot --runroot $work/krun"
# The rootless side is timed by a hyperfine running as the user (as_user), so that neither
# side pays runuser's PAM session (~10 ms) in its figures.
KU="$work/kiln"
$KR import -q "$work/busybox.tar" localhost/busybox >/dev/null
as_user "$work/kiln" import -q "$work/busybox.tar" localhost/busybox >/dev/null

median_ms() {  # median_ms root|user PREPARE COMMAND
  local json="$work/h.json" run=()
  if [ "$1" = user ]; then json="$home/h.json" run=(as_user); fi
  "${run[@]}" hyperfine -N --warmup 1 --runs "$RUNS" --prepare "$2" --export-json "$json" "$3" >/dev/null 2>&1 || { echo NA; return; }
  jq -r '.results[0].median * 1000 | floor' "$json"
}
# A cold build starts from a reset store holding only the base image.
fresh_root="sh -c '$KR system reset -f; $KR import -q $work/busybox.tar localhost/busybox' >/dev/null 2>&1"
fresh_user="sh -c '$KU system reset -f; $KU import -q $work/busybox.tar localhost/busybox' >/dev/null 2>&1"
r_cold=$(median_ms root "$fresh_root" "$KR build -q -t b $ctx")
u_cold=$(median_ms user "$fresh_user" "$KU build -q -t b $ctx")
r_cached=$(median_ms root "true" "$KR build -q -t b $ctx")
u_cached=$(median_ms user "true" "$KU build -q -t b $ctx")
r_run=$(median_ms root "true" "$KR run --rm localhost/busybox true")
u_run=$(median_ms user "true" "$KU run --rm localhost/busybox true")

# Rootless podman, where it works here (its own store in the user's home; native overlay,
# as kiln's: podman 4.3.1 left to choose takes vfs without a storage.conf).
PU="podman --root $home/pm-root --runroot $home/pm-run --storage-driver overlay"
p_cold=NA p_cached=NA p_run=NA p_note=""
if command -v podman >/dev/null && as_user $PU import -q "$work/busybox.tar" localhost/busybox >/dev/null 2>&1; then
  if p_err=$(as_user $PU run --rm localhost/busybox true 2>&1); then
    p_run=$(median_ms user "true" "$PU run --rm localhost/busybox true")
  else
    p_note="podman run: $(tail -1 <<<"$p_err")"
  fi
  if p_err=$(as_user $PU build -q -t b "$ctx" 2>&1); then
    p_cached=$(median_ms user "true" "$PU build -q -t b $ctx")
    p_cold=$(median_ms user "sh -c '$PU system reset -f; $PU import -q $work/busybox.tar localhost/busybox' >/dev/null 2>&1" "$PU build -q -t b $ctx")
  else
    p_note="$p_note; podman build: $(tail -1 <<<"$p_err")"
  fi
else
  p_note="rootless podman import failed"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2f", a/b }'; }
echo "| ms (median of $RUNS) | kiln rootful | kiln rootless | rootless / rootful | podman rootless |"
echo "|---|---|---|---|---|"
echo "| cold build | $r_cold | $u_cold | $(ratio "$u_cold" "$r_cold") | $p_cold |"
echo "| cached build | $r_cached | $u_cached | $(ratio "$u_cached" "$r_cached") | $p_cached |"
echo "| run --rm busybox true | $r_run | $u_run | $(ratio "$u_run" "$r_run") | $p_run |"
[ -z "$p_note" ] || echo "podman rootless: ${p_note#; }"
