#!/usr/bin/env bats
# mount/umount (unmount), container mount/umount/unmount, container diff and diff --latest
# (issue 19): podman's output, its mount counting and exit codes, side by side with podman
# where the outputs can be compared once store paths and IDs are written out.
load helpers

setup() { setup_store; }

# Runs one command on engine $1 (kiln or pm) and prints "rc=N" then its output, with the
# store's paths and the container IDs written as names so that both engines compare.
step() {
  local engine=$1
  shift
  local out rc=0
  out=$("$engine" "$@" 2>&1) || rc=$?
  # Listings come in ID order on both engines, and IDs are random: each step's lines are
  # compared as a sorted set (the JSON's lines too), not in the order printed.
  printf 'rc=%s\n%s\n' "$rc" "$(printf '%s\n' "$out" | normalize | LC_ALL=C sort)"
}

normalize() {
  local sed_args=(-E -e 's#(/[^ ]*)?/(containers/[0-9a-f]{64}|overlay/[0-9a-f]{64})/merged#MOUNTPOINT#g')
  local n id
  for n in c1 c2; do
    for id in "${KILN_IDS[$n]:-}" "${PM_IDS[$n]:-}"; do
      [ -n "$id" ] || continue
      sed_args+=(-e "s/$id/ID-$n/g" -e "s/${id:0:12}/SHORT-$n/g")
    done
  done
  sed "${sed_args[@]}" -e 's/"podman /"kiln /'
}

declare -gA KILN_IDS=() PM_IDS=()

# The full ID of container $2 on engine $1.
cid() { "$1" ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$2" '$2 == n { print $1 }'; }

# c1 (wrote /f) and c2 (created only), in this engine's store.
make_containers() {
  local engine=$1
  "$engine" import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  "$engine" run --name c1 localhost/busybox sh -c 'echo hi > /f' >/dev/null
  "$engine" create --name c2 localhost/busybox true >/dev/null
}

# The same script on both engines: mounting, listing, counting, unmounting, errors.
mount_script() {
  local e=$1
  step "$e" mount
  step "$e" mount --format json
  step "$e" mount c1
  step "$e" mount c1
  step "$e" container mount c2
  step "$e" mount
  step "$e" mount --notruncate
  step "$e" mount --no-trunc --format json
  step "$e" umount c1
  step "$e" mount
  step "$e" umount c1
  step "$e" umount c1
  step "$e" mount -a
  step "$e" umount --force c1
  step "$e" container unmount --all
  step "$e" umount -a
  step "$e" mount
  step "$e" mount nosuch
  step "$e" umount nosuch
  step "$e" umount
  step "$e" mount -a c1
  step "$e" umount -a c1
  step "$e" mount -l c1
  step "$e" mount --format '{{.ID}}'
  step "$e" mount --latest
  step "$e" umount -l
  step "$e" mount
}

@test "mount, umount, container mount/unmount: podman's output, counting and exit codes" {
  has_podman || skip "podman not installed"
  make_containers kiln
  make_containers pm
  for n in c1 c2; do
    KILN_IDS[$n]=$(cid kiln $n)
    PM_IDS[$n]=$(cid pm $n)
  done
  want=$(mount_script pm)
  got=$(mount_script kiln)
  assert_same "$want" "$got"
}

@test "mount: the container's files, written through; kept across runs; rm unmounts" {
  import_busybox >/dev/null
  kiln run --name c1 localhost/busybox sh -c 'echo hi > /f' >/dev/null
  run -0 kiln mount c1
  path=$output
  [ "$path" = "$TEST_ROOT/root/containers/$(cid kiln c1)/merged" ]
  [ "$(cat "$path/f")" = hi ]
  [ -x "$path/bin/busybox" ]
  echo host > "$path/from-host"
  # Another kiln process sees the mount; the container sees what was written through it.
  run -0 kiln mount --notruncate
  [ "$(awk '{ print $2 }' <<< "$output")" = "$path" ]
  run -0 kiln diff c1
  [[ "$output" == *"A /from-host"* ]]
  kiln mount c1 >/dev/null  # mounted twice
  run -0 kiln commit -q c1 snap
  run -0 kiln run --rm snap cat /from-host
  [ "$output" = host ]
  # A mounted container starts on that mount: one overlay, seen from both sides.
  run -0 kiln start -a c1
  [ "$(cat "$path/f")" = hi ]
  # rm unmounts, however often the container was mounted.
  run -0 kiln rm c1
  ! mountpoint -q "$path"
  [ ! -e "$path" ]
  run -0 kiln mount
  [ -z "$output" ]
}

@test "mount of a running container: its own root filesystem, live" {
  import_busybox >/dev/null
  cid=$(kiln run -d localhost/busybox sh -c 'echo run > /g; while [ ! -e /stop ]; do sleep 0.1; done; cat /from-host')
  for _ in $(seq 50); do [ "$(kiln diff "$cid")" != "" ] && break; sleep 0.1; done
  run -0 kiln mount "$cid"
  path=$output
  [ "$(cat "$path/g")" = run ]
  echo host > "$path/from-host"
  touch "$path/stop"
  run -0 kiln wait "$cid"
  [ "$output" = 0 ]
  run -0 kiln logs "$cid"
  [ "$output" = host ]
  run -0 kiln umount "$cid"
  [ "$output" = "$cid" ]
  ! mountpoint -q "$path"
  kiln rm "$cid" >/dev/null
}

# The same script on both engines for container diff and diff --latest.
diff_script() {
  local e=$1
  step "$e" container diff c1
  step "$e" container diff --format json c1
  step "$e" container diff c1 c1
  step "$e" container diff -l
  step "$e" diff --latest
  step "$e" container diff localhost/busybox
  step "$e" container diff nosuch
  step "$e" container diff
  step "$e" diff
  step "$e" container diff -l c1
  step "$e" container diff a b c
}

@test "container diff, diff --latest: podman's output and errors" {
  has_podman || skip "podman not installed"
  for e in kiln pm; do
    "$e" import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
    "$e" run --name c2 localhost/busybox true >/dev/null
    sleep 1  # --latest: the newest by creation time
    "$e" run --name c1 localhost/busybox sh -c 'echo hi > /f; rm /bin/true; mkdir /d' >/dev/null
  done
  for n in c1 c2; do
    KILN_IDS[$n]=$(cid kiln $n)
    PM_IDS[$n]=$(cid pm $n)
  done
  want=$(diff_script pm)
  got=$(diff_script kiln)
  assert_same "$want" "$got"
  kiln rm -a -f >/dev/null
  run -125 kiln diff -l
  [ "$output" = "Error: unable to get latest container: no such container" ]
}
