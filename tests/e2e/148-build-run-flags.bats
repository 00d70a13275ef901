#!/usr/bin/env bats
# What a build gives its RUN steps: --add-host, --no-hosts, --cap-add/--cap-drop, --ulimit,
# -v/--volume; and --unsetlabel on the final image. Compared with podman where it has them.
load helpers

setup() {
  setup_build_context
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  echo volfile > "$BATS_TEST_TMPDIR/vol/f"
}

run_step() { printf 'FROM localhost/busybox\nRUN %s\n' "$1" > "$CTX/Containerfile"; }

@test "build --add-host and --no-hosts: RUN's /etc/hosts" {
  run_step 'cat /etc/hosts'
  run -0 kiln build --no-cache --add-host myh:1.2.3.4 --add-host v6:::1 "$CTX"
  [[ "$output" == *$'1.2.3.4\tmyh\n::1\tv6\n127.0.0.1\tlocalhost'* ]]
  run -1 kiln build --no-cache --no-hosts "$CTX"
  [[ "$output" == *"can't open '/etc/hosts'"* ]]
  run -125 kiln build --add-host bad "$CTX"
  [ "$output" = 'Error: invalid value for add-host: bad format for add-host: "bad"' ]
}

@test "build --cap-add/--cap-drop and --ulimit: RUN's capabilities and limits, as podman's" {
  run_step 'grep CapEff /proc/self/status; ulimit -n; ulimit -Hn'
  run -0 kiln build --no-cache --cap-add net_admin --cap-drop CAP_CHOWN --ulimit nofile=1000:2000 "$CTX"
  [[ "$output" == *$'CapEff:\t00000000a80435fa\n1000\n2000'* ]]
  run -0 kiln build --no-cache --isolation oci --cap-add net_admin --cap-drop CAP_CHOWN --ulimit nofile=1000:2000 "$CTX"
  [[ "$output" == *$'CapEff:\t00000000a80435fa\n1000\n2000'* ]]
  run -125 kiln build --cap-add foo "$CTX"
  [ "$output" = 'Error: creating build executor: "CAP_FOO": unknown capability' ]
  run -125 kiln build --ulimit nofile=10:5 "$CTX"
  [ "$output" = 'Error: ulimit option "nofile=10:5" requires name=SOFT:HARD, failed to be parsed: ulimit soft limit must be less than or equal to hard limit: 10 > 5' ]
  if has_podman; then
    pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
    want=$(pm build --no-cache --cap-add net_admin --cap-drop CAP_CHOWN "$CTX" | grep CapEff)
    got=$(kiln build --no-cache --cap-add net_admin --cap-drop CAP_CHOWN "$CTX" | grep CapEff)
    assert_same "$want" "$got"
  fi
}

@test "build -v: RUN sees the host directory and writes through; the image gets none of it" {
  run_step 'cat /v/f && echo w > /v/w'
  run -0 kiln build -q -v "$BATS_TEST_TMPDIR/vol:/v" -t withvol "$CTX"
  [ "$(cat "$BATS_TEST_TMPDIR/vol/w")" = w ]
  run -1 kiln run --rm withvol cat /v/f
  run -125 kiln build -v /no/such/dir:/v "$CTX"
  [[ "$output" == "Error: "* ]]
}

@test "build --unsetlabel: a label of the base is gone from the image" {
  printf 'FROM localhost/busybox\nLABEL keep=1 drop=2\n' > "$CTX/Containerfile"
  kiln build -q -t base "$CTX" >/dev/null
  printf 'FROM base\nRUN true\n' > "$CTX/Containerfile"
  run -0 kiln build -q --unsetlabel drop -t child "$CTX"
  run -0 kiln inspect --format '{{index .Labels "keep"}}|{{index .Labels "drop"}}' child
  [ "$output" = "1|" ]
}

@test "global --runtime-flag reaches the OCI runtime of RUN and run; --runtime and containers.conf's runtime must exist" {
  command -v runc >/dev/null || skip "runc not installed"
  run_step 'echo ran'
  # podman's 070-build "global runtime flags test": runc's own error, exit 1
  run -1 kiln --runtime-flag invalidflag build --no-cache "$CTX"
  [[ "$output" == *"flag provided but not defined: -invalidflag"* ]]
  run -0 kiln --runtime-flag log-format=text run --rm localhost/busybox echo ok
  [ "$output" = ok ]
  run -1 kiln --runtime-flag invalidflag run --rm localhost/busybox echo ok
  # podman's 070-build "set runtime": on the command line and through containers.conf
  run -125 kiln --runtime=idonotexist build "$CTX"
  [ "$output" = 'Error: default OCI runtime "idonotexist" not found: invalid argument' ]
  printf '[engine]\nruntime="idonotexist"\n' > "$BATS_TEST_TMPDIR/bad.conf"
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/bad.conf run -125 kiln build "$CTX"
  [ "$output" = 'Error: default OCI runtime "idonotexist" not found: invalid argument' ]
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/bad.conf run -125 kiln run --rm localhost/busybox true
  # a configured runtime that exists is used when OCI isolation is asked for
  printf '[engine]\nruntime="runc"\n' > "$BATS_TEST_TMPDIR/runc.conf"
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/runc.conf run -0 kiln build --no-cache --isolation oci "$CTX"
  [[ "$output" == *ran* ]]
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/runc.conf run -0 kiln run --rm --isolation oci localhost/busybox echo ok
  [ "$output" = ok ]
}
