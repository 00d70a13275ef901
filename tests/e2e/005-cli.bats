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
