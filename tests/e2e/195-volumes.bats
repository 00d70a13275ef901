#!/usr/bin/env bats
# Volumes: volume create/ls/inspect/exists/rm/prune, run -v NAME:/p and -v /p, the image's
# VOLUMEs, rm -v and run --rm, --volumes-from, system df's volumes, buildx build; podman's
# texts and exit codes, side by side with podman where it is installed.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
}

teardown() {
  kiln rm -a -f -t 0 >/dev/null 2>&1 || true
  cleanup_test_store
}

@test "volume create, ls, inspect, exists, rm" {
  run kiln volume create data
  [ "$status" -eq 0 ] && [ "$output" = "data" ]
  [ -d "$TEST_ROOT/root/volumes/data/_data" ]
  run kiln volume ls
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "DRIVER      VOLUME NAME" ]
  [ "${lines[1]}" = "local       data" ]
  run kiln volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}}' data
  [ "$output" = "data local local $TEST_ROOT/root/volumes/data/_data" ]
  run kiln volume inspect data
  [ "$(jq -r '.[0].Name' <<< "$output")" = data ]
  [ "$(jq -r '.[0].NeedsChown' <<< "$output")" = true ]
  kiln volume exists data
  run kiln volume exists nope
  [ "$status" -eq 1 ] && [ -z "$output" ]
  run kiln volume rm data
  [ "$status" -eq 0 ] && [ "$output" = "data" ]
  [ ! -e "$TEST_ROOT/root/volumes/data" ]
  run kiln volume ls
  [ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "volume create: labels, options, name taken, bad names and drivers" {
  kiln volume create --label a=b -l c -o nocopy v1
  run kiln volume inspect --format '{{.Labels}} {{.Options}}' v1
  [ "$output" = "map[a:b c:] map[nocopy:]" ]
  run kiln volume ls --filter label=a=b --format '{{.Name}}'
  [ "$output" = "v1" ]
  run kiln volume create v1
  [ "$status" -eq 125 ] && [ "$output" = "Error: volume with name v1 already exists: volume already exists" ]
  run kiln volume create 'bad!'
  [ "$status" -eq 125 ]
  [ "$output" = "Error: running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument" ]
  run kiln volume create --driver other v2
  [ "$status" -eq 125 ] && [[ "$output" == *"no volume plugin with name other available"* ]]
  run kiln volume create -o type=tmpfs v3
  [ "$status" -eq 125 ]
  run kiln volume create a b
  [ "$status" -eq 125 ] && [ "$output" = "Error: accepts at most 1 arg(s), received 2" ]
  run kiln volume ls -q
  [ "$output" = "v1" ]
}

@test "a named volume outlives its containers and is made on first use" {
  kiln run --rm -v store:/data localhost/busybox sh -c 'echo kept > /data/f'
  run kiln run --rm -v store:/data:ro localhost/busybox cat /data/f
  [ "$status" -eq 0 ] && [ "$output" = "kept" ]
  run kiln run --rm -v store:/data:ro localhost/busybox sh -c 'echo x > /data/g'
  [ "$status" -ne 0 ]
  run kiln volume ls -q
  [ "$output" = "store" ]
}

@test "volumes under both isolations: chroot and the OCI runtime" {
  local flags
  for flags in "--isolation chroot" "--isolation oci --runtime runc"; do
    [ "$flags" = "--isolation chroot" ] || command -v runc >/dev/null || continue
    kiln volume rm -a >/dev/null
    run kiln run --rm $flags -v both:/b -v /anon localhost/busybox sh -c 'echo "$0" > /b/f; stat -c %D / /b /anon' "$flags"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" != "${lines[1]}" ] && [ "${lines[0]}" != "${lines[2]}" ]
    [ "$(cat "$TEST_ROOT/root/volumes/both/_data/f")" = "$flags" ]
    run kiln run --rm $flags -v both:/b:ro localhost/busybox sh -c 'echo x > /b/f'
    [ "$status" -ne 0 ]
    run kiln volume ls -q
    [ "$output" = both ]
  done
}

@test "anonymous volumes: -v /path, rm keeps them, rm -v and run --rm remove them" {
  kiln run --name c1 -v /anon localhost/busybox sh -c 'echo a > /anon/f'
  run kiln volume ls -q
  [ "${#lines[@]}" -eq 1 ] && [[ "${lines[0]}" =~ ^[0-9a-f]{64}$ ]]
  anon=${lines[0]}
  run kiln volume inspect --format '{{.Anonymous}}' "$anon"
  [ "$output" = true ]
  [ "$(cat "$TEST_ROOT/root/volumes/$anon/_data/f")" = a ]
  kiln rm c1
  run kiln volume ls -q
  [ "$output" = "$anon" ]
  kiln run --name c2 -v /anon2 localhost/busybox true
  [ "$(kiln volume ls -q | wc -l)" -eq 2 ]
  kiln rm -v c2
  run kiln volume ls -q
  [ "$output" = "$anon" ]
  kiln run --rm -v /anon3 localhost/busybox true
  run kiln volume ls -q
  [ "$output" = "$anon" ]
}

@test "the image's VOLUMEs become anonymous volumes, each its own mount" {
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nVOLUME /a/b\nVOLUME /data\n' > "$TEST_ROOT/ctx/Containerfile"
  kiln build -q -t withvol "$TEST_ROOT/ctx" >/dev/null
  run kiln run --name c1 withvol stat -c %D / /a /a/b /data
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "${lines[1]}" ] && [ "${lines[0]}" != "${lines[2]}" ] && [ "${lines[0]}" != "${lines[3]}" ]
  [ "$(kiln volume ls -q | wc -l)" -eq 2 ]
  # -v on the same destination wins over the image's VOLUME.
  kiln run --rm -v mine:/data withvol true
  [ "$(kiln volume ls -q | wc -l)" -eq 3 ]
  kiln volume exists mine
  kiln rm -v c1
  run kiln volume ls -q
  [ "$output" = "mine" ]
}

@test "a new volume is filled from the image (copy-up), once, and not with -o nocopy" {
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nRUN mkdir -p /data/sub && echo seeded > /data/sub/f && chown 1:2 /data/sub/f && ln -s f /data/sub/l\nVOLUME /data\n' \
    > "$TEST_ROOT/ctx/Containerfile"
  kiln build -q -t seeded "$TEST_ROOT/ctx" >/dev/null
  run kiln run --rm -v named:/data seeded sh -c 'stat -c "%u:%g %N" /data/sub/f /data/sub/l; echo more > /data/sub/f'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1:2 '/data/sub/f'" ] && [ "${lines[1]}" = "0:0 '/data/sub/l' -> 'f'" ]
  run kiln volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' named
  [ "$output" = "false false" ]
  # Filled once: what a container wrote stays.
  run kiln run --rm -v named:/data seeded cat /data/sub/f
  [ "$output" = more ]
  # A path the image does not have leaves the volume empty and still to be filled.
  kiln run --rm -v other:/nothing-here seeded true
  run kiln volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' other
  [ "$output" = "true false" ]
  kiln volume create -o nocopy nc
  run kiln run --rm -v nc:/data seeded ls -A /data
  [ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "volume rm: in use is exit 2 unless -f, which removes the container; missing is exit 1" {
  cid=$(kiln run -d -v busy:/busy localhost/busybox sleep 100)
  run kiln volume rm busy
  [ "$status" -eq 2 ]
  [ "$output" = "Error: volume busy is being used by the following container(s): $cid: volume is being used" ]
  run kiln volume rm nope
  [ "$status" -eq 1 ] && [ "$output" = 'Error: no volume with name "nope" found: no such volume' ]
  run kiln volume rm
  [ "$status" -eq 125 ] && [ "$output" = "Error: choose either one or more volumes or all" ]
  run kiln volume rm -f -t 0 busy
  [ "$status" -eq 0 ] && [ "$output" = "busy" ]
  run kiln ps -a -q
  [ -z "$output" ]
  kiln volume create x
  kiln volume create y
  run kiln volume rm -a
  [ "$status" -eq 0 ] && [ "${lines[*]}" = "x y" ]
}

@test "volume prune removes only the volumes no container uses" {
  kiln volume create free
  kiln volume create --label keep=1 labelled
  kiln create --name c1 -v used:/u localhost/busybox true >/dev/null
  run kiln volume prune -f --filter label=nope
  [ "$status" -eq 0 ] && [ -z "$output" ]
  run kiln volume prune -f --filter label=keep
  [ "$output" = "labelled" ]
  run kiln volume prune <<< "n"
  [[ "$output" == *"The following volumes will be removed:"*"free"* ]]
  kiln volume exists free
  run kiln volume prune -f
  [ "$output" = "free" ]
  run kiln volume ls -q
  [ "$output" = "used" ]
  run kiln volume ls --filter dangling=false --format '{{.Name}}'
  [ "$output" = "used" ]
  run kiln volume ls --filter bogus=1
  [ "$status" -eq 125 ] && [ "$output" = 'Error: "bogus" is an invalid volume filter' ]
}

@test "run --volumes-from shares the volumes, :ro makes them read-only" {
  kiln run --name src -v shared:/s -v /anon localhost/busybox sh -c 'echo from-src > /s/f; echo a > /anon/g'
  run kiln run --rm --volumes-from src localhost/busybox cat /s/f /anon/g
  [ "$status" -eq 0 ] && [ "${lines[0]}" = from-src ] && [ "${lines[1]}" = a ]
  run kiln run --rm --volumes-from src:ro localhost/busybox sh -c 'echo x > /s/h'
  [ "$status" -ne 0 ]
  # --rm of the borrower leaves the source's anonymous volume alone.
  [ "$(kiln volume ls -q | wc -l)" -eq 2 ]
  run kiln run --rm --volumes-from nope localhost/busybox true
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: looking up container "nope" for volumes-from: no container with name or ID "nope" found: no such container' ]
  run kiln run --rm --volumes-from src:bogus localhost/busybox true
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: invalid option "bogus" specified - volumes from another container can only use z,ro,rw options' ]
}

@test "run -v: podman's errors for bad words, and nothing is left behind" {
  run kiln run --rm -v 'bad!name:/x' localhost/busybox true
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: creating named volume "bad!name": running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument' ]
  run kiln run --rm -v foo:rel localhost/busybox true
  [ "$output" = 'Error: invalid container path "rel", must be an absolute path' ]
  run kiln run --rm -v foo:/x:bogus localhost/busybox true
  [ "$output" = 'Error: invalid option type "bogus"' ]
  run kiln run --rm -v a:b:c:d localhost/busybox true
  [ "$output" = 'Error: a:b:c:d: incorrect volume format, should be [host-dir:]ctr-dir[:option]' ]
  run kiln run --rm -v made:/m -v /does-not-exist-here:/d localhost/busybox true
  [ "$status" -eq 125 ]
  run kiln volume ls -q
  [ -z "$output" ]
}

@test "system df counts volumes, their links and sizes" {
  kiln run --name c1 -v /v1 localhost/busybox sh -c 'printf 12345 > /v1/f'
  kiln volume create unused
  printf abc > "$TEST_ROOT/root/volumes/unused/_data/f"
  run kiln system df --format '{{.Type}}:{{.Total}}:{{.Active}}:{{.Size}}:{{.Reclaimable}}'
  [ "${lines[2]}" = "Local Volumes:2:1:8B:3B (38%)" ]
  run kiln system df
  [[ "${lines[3]}" =~ ^Local\ Volumes\ +2\ +1\ +8B\ +3B\ \(38%\)$ ]]
  run kiln system df -v
  [[ "$output" == *"LOCAL VOLUMES"* ]]
  [[ "${lines[5]}" =~ ^[0-9a-f]{12}\ +[0-9a-f]{12}\ +sh\ -c.*\ 1\ +.*exited\ +c1$ ]]
  [[ "$output" =~ [0-9a-f]{64}\ +1\ +5B ]]
  [[ "$output" =~ unused\ +0\ +3B ]]
}

@test "buildx build is build" {
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nRUN echo hi > /f\n' > "$TEST_ROOT/ctx/Containerfile"
  run kiln buildx build --load -t bx "$TEST_ROOT/ctx"
  [ "$status" -eq 0 ] && [[ "$output" == *COMMIT* ]]
  run kiln run --rm bx cat /f
  [ "$output" = hi ]
  run kiln builder build -q -t bx2 "$TEST_ROOT/ctx"
  [ "$status" -eq 0 ]
}

@test "side by side with podman: volume commands' output and exit codes" {
  command -v podman >/dev/null || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  local e cmd
  for e in kiln pm; do
    "$e" volume create --label a=b v1 >/dev/null
    "$e" run --name c1 -v v1:/d localhost/busybox true >/dev/null
  done
  for cmd in "volume ls" "volume ls -q" "volume ls --format {{.Name}}:{{.Labels}}" "volume ls --filter dangling=true" \
             "volume inspect --format {{.Name}}:{{.Labels}}:{{.Anonymous}} v1" "volume exists nope" \
             "volume rm nope" "volume inspect" "volume ls --filter name" "volume create v1" "volume rm v1" \
             "volume create bad!" "system df --format {{.Type}}:{{.Total}}:{{.Active}}" \
             "ps -a --format {{.Names}}:{{.Mounts}}" "ps -a --filter volume=v1 --format {{.Names}}" \
             "ps -a --filter volume=nope --format {{.Names}}" "run --rm -v /x:ro localhost/busybox true" \
             "volume inspect --format {{.Name}} v1 nope" "volume inspect --format {{.Name}}:{{.NeedsChown}}:{{.NeedsCopyUp}} nope v1 x" "volume ls -q --format {{.Name}}" \
             "volume create v2" "volume rm nope v2"; do
    read -ra words <<< "$cmd"
    k=$(kiln "${words[@]}" 2>&1 | sed -E 's/[0-9a-f]{64}/ID/g'; echo "rc=${PIPESTATUS[0]}")
    p=$(pm "${words[@]}" 2>&1 | sed -E 's/[0-9a-f]{64}/ID/g'; echo "rc=${PIPESTATUS[0]}")
    assert_same "$cmd"$'\n'"$p" "$cmd"$'\n'"$k"
  done
  pm rm -a -f -t 0 >/dev/null
  pm volume rm -a >/dev/null
}

@test "commit --include-volumes, system prune --volumes, system reset" {
  kiln run --name c1 -v nv:/nv -v /an -v "$TEST_ROOT:/host" localhost/busybox true
  kiln commit -q --include-volumes c1 withv >/dev/null
  run kiln inspect --format '{{.Config.Volumes}}' withv
  [ "$output" = "map[/an:{} /host:{} /nv:{}]" ]
  kiln commit -q c1 withoutv >/dev/null
  run kiln inspect --format '{{.Config.Volumes}}' withoutv
  [ "$output" = "map[]" ]
  kiln volume create free
  run kiln system prune -f
  [[ "$output" != *"Deleted Volumes"* ]]
  [ "$(kiln volume ls -q | wc -l)" -eq 3 ]
  kiln run --name keep -v kept:/k localhost/busybox sleep 100 &
  for _ in $(seq 50); do kiln ps -q | grep -q . && break; sleep 0.1; done
  run kiln system prune -f --volumes
  [[ "$output" == *"Deleted Volumes"*"free"* ]]
  run kiln volume ls -q
  [ "$output" = "kept" ]
  kiln rm -f -t 0 keep >/dev/null
  wait
  kiln volume create again
  kiln system reset -f
  run kiln volume ls
  [ -z "$output" ]
  [ ! -e "$TEST_ROOT/root/volumes" ]
}
