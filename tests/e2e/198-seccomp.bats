#!/usr/bin/env bats
# Seccomp of run and build's RUN: containers-common's default profile unless
# --security-opt seccomp=unconfined|FILE, under kiln's isolation and runc; errors as podman.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  [ -f /usr/share/containers/seccomp.json ] || skip "containers-common's seccomp.json is not installed"
}

@test "run: the default profile filters, unconfined does not, a file's profile applies" {
  run kiln run --rm localhost/busybox grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	2" ]
  run kiln run --rm --security-opt seccomp=unconfined localhost/busybox grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	0" ]
  printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}' > "$TEST_ROOT/p.json"
  run kiln run --rm --security-opt seccomp="$TEST_ROOT/p.json" localhost/busybox mkdir /x
  [ "$status" -eq 1 ]
  [ "$output" = "mkdir: can't create directory '/x': Permission denied" ]
  # exec gets the container's filter too.
  cid=$(kiln run -d --security-opt seccomp="$TEST_ROOT/p.json" localhost/busybox sleep 1000)
  run kiln exec $cid mkdir /y
  [ "$status" -eq 1 ]
  run kiln exec $cid grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	2" ]
  kiln rm -f -t 0 $cid
  # As a non-root user, and with no_new_privs.
  run kiln run --rm --user 1000 --security-opt no-new-privileges localhost/busybox grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
  [ "$output" = "$(printf 'NoNewPrivs:\t1\nSeccomp:\t2')" ]
}

@test "run under runc: the filter goes into config.json" {
  command -v runc >/dev/null || skip "runc is not installed"
  run kiln run --rm --isolation oci localhost/busybox grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	2" ]
  run kiln run --rm --isolation oci --security-opt seccomp=unconfined localhost/busybox grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	0" ]
  printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}' > "$TEST_ROOT/p.json"
  run kiln run --rm --isolation oci --security-opt seccomp="$TEST_ROOT/p.json" localhost/busybox mkdir /x
  [ "$status" -eq 1 ]
}

@test "build: RUN steps get the default profile, or none with seccomp=unconfined (podman's 070 test)" {
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nRUN grep Seccomp: /proc/self/status\n' > "$TEST_ROOT/ctx/Containerfile"
  run kiln build -t t1 "$TEST_ROOT/ctx"
  [[ "$output" == *"Seccomp:	2"* ]]
  run kiln build --no-cache --security-opt seccomp=unconfined -t t2 "$TEST_ROOT/ctx"
  [[ "$output" == *"Seccomp:	0"* ]]
  run kiln build --security-opt foo "$TEST_ROOT/ctx"
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: invalid --security-opt 1: "foo"' ]
}

@test "--security-opt errors: podman's texts and exit codes, no container made" {
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  printf '{bad' > "$TEST_ROOT/bad.json"
  for opt in foo foo=bar seccomp=/nonexistent/profile.json; do
    run kiln run --rm --security-opt "$opt" localhost/busybox true
    k_status=$status k_output=$output
    run pm run --rm --security-opt "$opt" localhost/busybox true
    [ "$k_status" -eq "$status" ]
    [ "$k_output" = "$output" ]
  done
  # A profile that is not JSON: the same prefix (the parser's own words follow).
  run kiln run --rm --security-opt seccomp="$TEST_ROOT/bad.json" localhost/busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == "Error: loading seccomp profile ($TEST_ROOT/bad.json) failed: decoding seccomp profile failed: "* ]]
  run kiln ps -a -q
  [ "$output" = "" ]
}
