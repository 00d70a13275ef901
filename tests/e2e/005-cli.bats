#!/usr/bin/env bats
# Global options, help and usage errors.
load helpers

setup() { setup_store; }

@test "--version and --help" {
  run "$KILN_BIN" --version
  [ "$status" -eq 0 ]
  [[ "$output" == "kiln version "* ]]
  for cmd in images "image ls" "image exists" tag untag rmi "image rm" "image prune" inspect "image inspect" \
             history "image tree" "system df" "system prune" "system reset" import; do
    run "$KILN_BIN" $cmd --help
    [ "$status" -eq 0 ] || { echo "$cmd --help failed: $output"; return 1; }
    [[ "$output" == *"Usage"* ]] || [[ "$output" == *"USAGE"* ]] || [[ "$output" == *"Options"* ]] || [[ "$output" == *"OPTIONS"* ]]
  done
}

@test "no command: usage and exit 125" {
  run "$KILN_BIN"
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error: missing command 'kiln COMMAND'"* ]]
}

@test "unknown flag: podman's error and exit 125" {
  run kiln images --nosuchflag
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error: unknown flag: --nosuchflag"* ]]
}

@test "--root and KILN_ROOT choose the store" {
  import_busybox >/dev/null
  [ -f "$TEST_ROOT/root/kiln.db" ]
  KILN_ROOT="$TEST_ROOT/root" run "$KILN_BIN" --runroot "$TEST_ROOT/run" images -q
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  KILN_ROOT="$TEST_ROOT/other" run "$KILN_BIN" --runroot "$TEST_ROOT/run" images -q
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ -f "$TEST_ROOT/other/kiln.db" ]
}

@test "--log-level accepts podman's levels and refuses others" {
  run kiln --log-level debug images
  [ "$status" -eq 0 ]
  run kiln --log-level loud images
  [ "$status" -eq 125 ]
}

@test "a repeated single-value flag keeps the last value, as Go's pflag does" {
  import_busybox >/dev/null
  run -0 kiln images --format '{{.ID}}' --format '{{.Repository}}'
  [ "$output" = localhost/busybox ]
  kiln create --name first --name second busybox true >/dev/null
  run -0 kiln ps -a --format '{{.Names}}'
  [ "$output" = second ]
  # options that collect every value still do
  kiln tag busybox a:1 b:1
  run -0 kiln save -o "$BATS_TEST_TMPDIR/x.tar" -o "$BATS_TEST_TMPDIR/y.tar" a:1 b:1
  [ ! -e "$BATS_TEST_TMPDIR/x.tar" ]
  [ "$(tar xOf "$BATS_TEST_TMPDIR/y.tar" manifest.json | jq -r '.[0].RepoTags | sort | join(",")')" = "localhost/a:1,localhost/b:1" ]
}

@test "boolean flags never take the next argument as their value (pflag)" {
  import_busybox >/dev/null
  run -0 kiln history -H busybox
  [[ "${lines[1]}" == *" ago "* ]]
  run -0 kiln history -qH busybox
  [[ "$output" =~ ^[0-9a-f]{12}$ ]]
  run -0 kiln history -H=false busybox
  [[ "${lines[1]}" =~ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
  run -0 kiln history --human=0 busybox
  [[ "${lines[1]}" =~ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
  run -125 kiln history --human=maybe busybox
  [ "$output" = 'Error: invalid argument "maybe" for "-H, --human" flag: strconv.ParseBool: parsing "maybe": invalid syntax' ]
  if has_podman; then
    pm import -q "$(busybox_tar)" busybox >/dev/null
    run -125 pm history --human=maybe busybox
    [ "${lines[0]}" = 'Error: invalid argument "maybe" for "-H, --human" flag: strconv.ParseBool: parsing "maybe": invalid syntax' ]
  fi
}

@test "podman's global flags are accepted" {
  import_busybox >/dev/null
  run -0 kiln --storage-driver=vfs --storage-opt overlay.mountopt=nodev --cgroup-manager cgroupfs \
    --events-backend file --tmpdir /tmp --network-cmd-path /usr/bin/slirp4netns --network-config-dir /nonexistent \
    --conmon /usr/bin/conmon --hooks-dir /nonexistent --syslog images --format '{{.Repository}}'
  [ "$output" = localhost/busybox ]
  # a --root given later wins, so a wrapper's store can be overridden
  run -0 kiln --storage-driver=vfs --root "$TEST_ROOT/empty" images
  [ "$output" = "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE" ]
  run -0 kiln --noout images
  [ -z "$output" ]
}

@test "global --runtime: the default OCI runtime of build and run, checked as podman does" {
  import_busybox >/dev/null
  mkdir -p "$BATS_TEST_TMPDIR/ctx"
  printf 'FROM busybox\nRUN true\n' > "$BATS_TEST_TMPDIR/ctx/Containerfile"
  run -125 kiln --runtime=idonotexist build "$BATS_TEST_TMPDIR/ctx"
  [ "$output" = 'Error: default OCI runtime "idonotexist" not found: invalid argument' ]
  run -125 kiln --runtime=idonotexist run --rm busybox true
  [ "$output" = 'Error: default OCI runtime "idonotexist" not found: invalid argument' ]
  if has_podman; then
    pm import -q "$(busybox_tar)" busybox >/dev/null
    run -125 pm --runtime=idonotexist build "$BATS_TEST_TMPDIR/ctx"
    [ "$output" = 'Error: default OCI runtime "idonotexist" not found: invalid argument' ]
  fi
}

@test "ps --external, pod rm, network prune: as podman on a host without pods or networks" {
  import_busybox >/dev/null
  kiln create --name c1 busybox true >/dev/null
  run -0 kiln ps --all --external --format '{{.Names}}'
  [ "$output" = c1 ]
  run -0 kiln pod rm -t 0 --all --force --ignore
  [ -z "$output" ]
  run -1 kiln pod rm nosuchpod
  [ "$output" = "Error: no pod with name or ID nosuchpod found: no such pod" ]
  run -0 kiln pod rm --ignore nosuchpod
  run -125 kiln pod rm
  [ "$output" = "Error: you must provide at least one name or id" ]
  run -0 kiln network prune --force
  [ -z "$output" ]
  if has_podman; then
    run -1 pm pod rm nosuchpod
    [ "$output" = "Error: no pod with name or ID nosuchpod found: no such pod" ]
    run -0 pm pod rm -t 0 --all --force --ignore
    [ -z "$output" ]
    run -0 pm network prune --force
    [ -z "$output" ]
  fi
}

@test "volume rm, ls, prune: as podman on a host without volumes" {
  run -0 kiln volume rm -a
  [ -z "$output" ]
  run -1 kiln volume rm nosuchvol
  [ "$output" = 'Error: no volume with name "nosuchvol" found: no such volume' ]
  run -125 kiln volume rm
  [ "$output" = "Error: choose either one or more volumes or all" ]
  run -0 kiln volume ls
  [ -z "$output" ]
  run -0 kiln volume prune -f
  [ -z "$output" ]
  if has_podman; then
    run -1 pm volume rm nosuchvol
    [ "$output" = 'Error: no volume with name "nosuchvol" found: no such volume' ]
    run -0 pm volume ls
    [ -z "$output" ]
    run -125 pm volume rm
    [ "$output" = "Error: choose either one or more volumes or all" ]
  fi
}

@test "unknown command: podman's unrecognized command text and exit 125" {
  run -125 kiln foo
  [ "${lines[0]}" = 'Error: unrecognized command `kiln foo`' ]
  [ "${lines[1]}" = "Try 'kiln --help' for more information" ]
  run -125 kiln image foo
  [ "${lines[0]}" = 'Error: unrecognized command `kiln image foo`' ]
  [ "${lines[1]}" = "Try 'kiln image --help' for more information" ]
  run -125 kiln --log-level debug system foo bar
  [ "${lines[0]}" = 'Error: unrecognized command `kiln system foo`' ]
  run -125 kiln image
  [ "${lines[-1]}" = "Error: missing command 'kiln image COMMAND'" ]
  # A required argument is not a missing command.
  run -125 kiln image diff
  [ "$output" = "Error: accepts between 1 and 2 arg(s), received 0" ]
}

@test "version: podman's layout, its JSON keys and Go templates" {
  run -0 kiln version
  [ "${lines[0]}" = "Client:       kiln" ]
  [[ "${lines[1]}" == "Version:      "* ]]
  [[ "${lines[3]}" == "OS/Arch:      linux/"* ]]
  run -0 kiln version --format '{{.Client.Version}}'
  [ "$output" = "$(kiln --version | awk '{print $3}')" ]
  if has_podman; then
    want=$(podman version --format json | jq -c '.Client | keys')
    got=$(kiln version --format json | jq -c '.Client | keys')
    assert_same "$want" "$got"
  fi
}
