#!/usr/bin/env bash
# Disk full: the store lives on a 64 MiB tmpfs that fills during load, pull, build and save
# (and save's output on a 16 MiB one). Each must fail with `no space left on device` naming
# what it was doing, exit 125, leave a store that passes `system check` and lists what it
# listed before; after space is freed (the tmpfs grown), each succeeds. Needs root (mount).
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "disk-full: skipped (needs root to mount a tmpfs)"; exit 0; }

failures=0
check() { # DESCRIPTION COMMAND...: the command must hold
  local what=$1; shift
  if "$@" >/dev/null; then echo "  ok: $what"; else echo "  FAILED: $what"; failures=$((failures + 1)); fi
}

# A command that must fail for lack of space: exit 125 and an Error naming ENOSPC.
expect_enospc() {
  local op=$1; shift
  local before rc
  before=$(k images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)
  k "$@" > "$WORK/out.txt" 2> "$WORK/err.txt"; rc=$?
  echo "  $op on a full disk: exit $rc: $(tail -1 "$WORK/err.txt")"
  check "$op exits 125" [ $rc -eq 125 ]
  check "$op says: no space left on device" grep -q '^Error: .*no space left on device' "$WORK/err.txt"
  check "the store passes system check after $op" k system check -q
  check "images lists what it did before $op" [ "$(k images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)" = "$before" ]
}

grow() { mount -o remount,size="$2" "$1"; }

main() {
  stress_init
  start_stress_registry
  local small=$WORK/small out=$WORK/small-out
  mkdir -p "$small" "$out"
  mount -t tmpfs -o size=64m kiln-stress "$small" || die "mount tmpfs"
  mount -t tmpfs -o size=16m kiln-stress-out "$out" || die "mount tmpfs"
  # The big image is made in a second store on the ordinary disk.
  local big_store=$WORK/big-root
  big_rootfs 100 "$WORK/in/big.tar"
  "$KILN" --root "$big_store" --runroot "$WORK/big-run" import -q "$WORK/in/big.tar" localhost/big:1 >/dev/null || die "import big"
  "$KILN" --root "$big_store" --runroot "$WORK/big-run" save -q -o "$WORK/in/big-save.tar" localhost/big:1 || die "save big"
  "$KILN" --root "$big_store" --runroot "$WORK/big-run" push -q --tls-verify=false localhost/big:1 "$REG/big:1" || die "push big"

  STORE=$small/root
  k import -q "$(busybox_rootfs)" localhost/busybox:latest >/dev/null || die "import busybox"
  mkdir -p "$WORK/ctx"
  # COPY, not RUN: a RUN whose own command hits ENOSPC exits with that command's status, as
  # in podman; here kiln itself writes the layer.
  head -c 100M /dev/urandom > "$WORK/ctx/fill"
  printf 'FROM localhost/busybox\nCOPY fill /fill\n' > "$WORK/ctx/Containerfile"

  echo "disk full (store on a 64 MiB tmpfs):"
  expect_enospc load load -q -i "$WORK/in/big-save.tar"
  expect_enospc pull pull -q --tls-verify=false "$REG/big:1"
  expect_enospc build build -q -t localhost/fill:1 "$WORK/ctx"
  head -c 15M /dev/zero > "$out/filler"
  expect_enospc save save -q -o "$out/busybox.tar" localhost/busybox:latest
  k rm -a -f >/dev/null 2>&1

  echo "space freed (tmpfs grown to 1 GiB):"
  grow "$small" 1g; grow "$out" 64m
  check "load succeeds" k load -q -i "$WORK/in/big-save.tar"
  check "pull succeeds" k pull -q --tls-verify=false "$REG/big:1"
  check "build succeeds" k build -q -t localhost/fill:1 "$WORK/ctx"
  rm -f "$out/busybox.tar" "$out/filler"
  check "save succeeds" k save -q -o "$out/busybox.tar" localhost/busybox:latest
  check "system check is clean" k system check -q
  STORE=$WORK/root   # the cleanup's kiln calls must not hit the unmounted tmpfs
  k rm -a -f >/dev/null 2>&1
  umount "$small" "$out"
  echo "disk-full: $failures failure(s)"
  [ $failures -eq 0 ]
}

main
