# Shared by the stress campaigns (tests/stress/*.sh): a kiln store in a temp dir, the busybox
# base image, a local docker-registry, and small helpers. Source it; set KILN first.
set -uo pipefail

STRESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$STRESS_DIR/../.." && pwd)
KILN=$(readlink -f "${KILN:-$REPO_ROOT/build/kiln}")

# A fresh store under WORK (set by stress_init). k runs kiln on it.
stress_init() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-stress.XXXXXX")
  STORE=$WORK/root
  RUNROOT=$WORK/run
  mkdir -p "$WORK/in" "$WORK/out"
  trap stress_cleanup EXIT
}

k() { "$KILN" --root "$STORE" --runroot "$RUNROOT" "$@"; }

stress_cleanup() {
  k rm -a -f -t 0 >/dev/null 2>&1 || true
  stop_stress_registry
  mount | awk -v d="$WORK" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}

die() { echo "stress: $*" >&2; exit 2; }

# busybox rootfs tar, made once per campaign.
busybox_rootfs() {
  local tar=$WORK/in/busybox.tar
  [ -s "$tar" ] || bash "$REPO_ROOT/scripts/busybox-rootfs.sh" "$tar" || die "cannot make the busybox rootfs"
  echo "$tar"
}

# A rootfs tar with MB megabytes of random bytes beside busybox: big enough that import, load,
# push and pull take long enough to be killed in the middle.
big_rootfs() {
  local mb=$1 out=$2 dir=$WORK/in/big.$$
  rm -rf "$dir"; mkdir -p "$dir"
  tar -C "$dir" -xf "$(busybox_rootfs)"
  head -c "${mb}M" /dev/urandom > "$dir/payload"
  for i in $(seq 1 200); do echo "file $i" > "$dir/small-$i"; done
  tar -C "$dir" -cf "$out" .
  rm -rf "$dir"
}

STRESS_REG_PID=
start_stress_registry() {
  command -v docker-registry >/dev/null || die "docker-registry is not installed (scripts/deps.sh)"
  local dir=$WORK/registry port
  mkdir -p "$dir"
  port=$(python3 "$REPO_ROOT/tests/e2e/registry-tool.py" free-port)
  cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  env -u REGISTRY_AUTH_FILE docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  STRESS_REG_PID=$!
  REG=localhost:$port
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://$REG/v2/" && return 0
    sleep 0.05
  done
  die "registry did not start: $(cat "$dir/log")"
}

stop_stress_registry() {
  if [ -n "${STRESS_REG_PID:-}" ]; then
    kill "$STRESS_REG_PID" 2>/dev/null || true
    wait "$STRESS_REG_PID" 2>/dev/null || true
    STRESS_REG_PID=
  fi
}

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }
