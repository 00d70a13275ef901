# Shared by every bats file: a fresh kiln store per test, a busybox rootfs tarball,
# and podman side by side (in its own temp store) where a test compares with it.
bats_require_minimum_version 1.5.0

KILN_BIN=${KILN:-$BATS_TEST_DIRNAME/../../build/kiln}
REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# The busybox rootfs is made once per bats process and reused (read-only).
busybox_tar() {
  local tar=${BATS_RUN_TMPDIR:-/tmp}/busybox-rootfs.tar
  if [ ! -s "$tar" ]; then
    bash "$REPO_ROOT/scripts/busybox-rootfs.sh" "$tar.tmp.$$" && mv "$tar.tmp.$$" "$tar"
  fi
  echo "$tar"
}

# The arm64 busybox rootfs (Debian's busybox-static:arm64), made once per bats process; empty
# output when it cannot be made (no arm64 package source).
busybox_arm64_tar() {
  local tar=${BATS_RUN_TMPDIR:-/tmp}/busybox-arm64-rootfs.tar
  if [ ! -s "$tar" ]; then
    bash "$REPO_ROOT/scripts/busybox-arm64-rootfs.sh" "$tar.tmp.$$" >&2 && mv "$tar.tmp.$$" "$tar" || return 0
  fi
  echo "$tar"
}

# Makes sure binfmt_misc runs arm64 programs through Debian's qemu-user-static: mounts
# binfmt_misc and registers /usr/lib/binfmt.d/qemu-aarch64.conf when run as root and missing.
# Fails (for a skip) where the kernel or the user cannot.
ensure_qemu_aarch64() {
  local d=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  grep -qs '^enabled' "$d/qemu-aarch64" && return 0
  [ "$(id -u)" = 0 ] && [ -f "$conf" ] || return 1
  [ -e "$d/register" ] || mount -t binfmt_misc binfmt_misc "$d" 2>/dev/null || return 1
  [ -e "$d/qemu-aarch64" ] || grep -v '^#' "$conf" > "$d/register" 2>/dev/null || return 1
  grep -qs '^enabled' "$d/qemu-aarch64"
}

setup_store() {
  TEST_ROOT=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/kiln.XXXXXX")
  export KILN_TEST_ROOT=$TEST_ROOT
  # podman (for side-by-side tests) refuses a runroot longer than 50 characters.
  PM_RUNROOT=$(mktemp -d /tmp/kpm.XXXXXX)
}

kiln() {
  "$KILN_BIN" --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" "$@"
}

# Imports the busybox base image as localhost/busybox:latest and prints its ID.
import_busybox() {
  kiln import -q "$(busybox_tar)" "${1:-localhost/busybox:latest}"
}

# A build test's start: a store with localhost/busybox and an empty context dir $CTX.
setup_build_context() {
  setup_store
  import_busybox >/dev/null
  CTX=$TEST_ROOT/ctx
  mkdir -p "$CTX"
}

# Writes $CTX/Containerfile from stdin.
containerfile() { cat > "$CTX/Containerfile"; }

# Files that define their own teardown() call this from it.
cleanup_test_store() {
  # Every test leaves a store that passes the full `system check` (snapshots re-extracted
  # and compared with their layer tars), whatever it did; tests that damage the store on
  # purpose set SKIP_STORE_CHECK.
  if [ -z "${SKIP_STORE_CHECK:-}" ] && [ -f "${TEST_ROOT:-/nonexistent}/root/kiln.db" ]; then
    local check_out
    if ! check_out=$(kiln system check 2>&1); then
      kiln rm -a -f -t 0 >/dev/null 2>&1 || true
      printf 'the store fails system check after the test:\n%s\n' "$check_out" >&2
      _umount_test_dirs
      return 1
    fi
  fi
  _umount_test_dirs
}

_umount_test_dirs() {
  # podman mounts its overlay directory onto itself; bats cannot delete a mounted dir.
  if [ -n "${TEST_ROOT:-}" ]; then
    mount | awk -v d="$TEST_ROOT" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  fi
  if [ -n "${PM_RUNROOT:-}" ]; then rm -rf "$PM_RUNROOT"; fi
}

teardown() { cleanup_test_store; }

has_podman() { command -v podman >/dev/null 2>&1; }

# podman with its own store and the containers.conf this machine needs (never /etc's).
pm() {
  local base=${TEST_ROOT}/podman
  if [ ! -f "$base/containers.conf" ]; then
    mkdir -p "$base"
    bash "$REPO_ROOT/scripts/podman-conf.sh" "$base/containers.conf"
  fi
  # podman refuses a runroot longer than 50 characters.
  CONTAINERS_CONF=$base/containers.conf podman --root "$base/root" --runroot "$PM_RUNROOT" "$@"
}

# Fails the test with both outputs shown when they differ.
assert_same() {
  if [ "$1" != "$2" ]; then
    printf 'expected:\n%s\n---\nactual:\n%s\n' "$1" "$2" >&2
    return 1
  fi
}

# Serves directory $1 over HTTP on 127.0.0.1 (python3's http.server): sets HTTP_PORT, and
# HTTP_PID for `kill "$HTTP_PID"` when done.
serve_directory() {
  HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$1" && exec python3 -m http.server --bind 127.0.0.1 "$HTTP_PORT" >/dev/null 2>&1) &
  HTTP_PID=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$HTTP_PORT/" >/dev/null && return 0; sleep 0.1; done
  return 1
}
