#!/usr/bin/env bats
# exec: a command in a running container, in its namespaces and root, on the built-in
# isolation and on runc; podman's errors and exit codes, side by side where podman runs.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
}

teardown() {
  kiln rm -a -f -t 0 >/dev/null 2>&1 || true
  cleanup_test_store
}

isolations() {
  echo "--isolation chroot"
  if command -v runc >/dev/null; then echo "--isolation oci --runtime runc"; fi
  return 0
}

# start_sleeper NAME ISOLATION-FLAGS...: a detached container that wrote /tmp/x and sleeps.
start_sleeper() {
  local name=$1
  shift
  kiln run -d "$@" --name "$name" -e FOO=bar -w /etc localhost/busybox sh -c 'echo from-init > /tmp/x; sleep 600' >/dev/null
  for _ in $(seq 100); do kiln exec "$name" test -e /tmp/x 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

@test "exec: runs in the container's root, pid and uts namespaces, with its env and workdir" {
  while read -r iso; do
    kiln rm -a -f -t 0 >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    start_sleeper c1 $iso
    run -0 kiln exec c1 cat /tmp/x
    [ "$output" = from-init ]
    # the container's pid namespace (its init is pid 1, the command is not), hostname and cwd
    run -0 kiln exec c1 sh -c 'echo $$; hostname; pwd; echo $FOO; cat /proc/1/cmdline | tr "\0" " "'
    [ "${lines[0]}" -gt 1 ] && [ "${lines[0]}" -lt 100 ]
    [ "${lines[1]}" = "$(kiln inspect --format '{{.ID}}' c1 2>/dev/null | cut -c1-12 || true)" ] || [ "${lines[1]}" = "$(kiln ps --format '{{.ID}}' --filter name=c1)" ]
    [ "${lines[2]}" = /etc ] && [ "${lines[3]}" = bar ]
    [ "${lines[4]}" = "sleep 600 " ]
    # -e, -w, -u override; the exit status comes back
    run -0 kiln exec -e FOO=baz -e NEW=1 -w /tmp -u 1000:1000 c1 sh -c 'echo $FOO $NEW; id -u; id -g; pwd'
    [ "$output" = "$(printf 'baz 1\n1000\n1000\n/tmp')" ]
    run -7 kiln exec c1 sh -c 'exit 7'
    # what exec writes stays in the container
    kiln exec c1 sh -c 'echo via-exec > /tmp/y'
    [ "$(kiln exec c1 cat /tmp/y)" = via-exec ]
    # -i passes stdin; without it stdin is empty
    [ "$(echo hello | kiln exec -i c1 cat)" = hello ]
    [ -z "$(echo hello | kiln exec c1 cat)" ]
    # --latest
    [ "$(kiln exec -l cat /tmp/x)" = from-init ]
    run -127 kiln exec c1 nosuchcommand
    [[ "$output" == *'"nosuchcommand": executable file not found in $PATH'*'OCI runtime attempted to invoke a command that was not found' ]]
    run -126 kiln exec c1 /etc/passwd
    [[ "$output" == *'permission denied: OCI permission denied' ]]
  done < <(isolations)
}

@test "exec: a stopped or unknown container, and no command, are podman's errors (exit 125)" {
  kiln create --name made localhost/busybox true >/dev/null
  run -125 kiln exec made true
  [ "$output" = "Error: can only create exec sessions on running containers: container state improper" ]
  run -125 kiln exec nosuch true
  [ "$output" = 'Error: no container with name or ID "nosuch" found: no such container' ]
  start_sleeper c1
  run -125 kiln exec c1
  [[ "$output" == "Error: must provide a non-empty command to start an exec session"* ]]
  kiln stop -t 0 c1 >/dev/null
  run -125 kiln exec c1 true
  [ "$output" = "Error: can only create exec sessions on running containers: container state improper" ]
}

@test "exec: side by side with podman on a running container" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  pm run -d --name p1 -e FOO=bar -w /etc localhost/busybox sh -c 'echo from-init > /tmp/x; sleep 600' >/dev/null
  start_sleeper c1
  for args in "|cat /tmp/x" "|sh -c 'echo \$FOO; pwd; exit 3'" "-u 1000:1000 -w /tmp -e FOO=x|sh -c 'id; pwd; echo \$FOO'"; do
    run -- eval pm exec "${args%%|*}" p1 "${args#*|}"; ps=$status; po=$output
    run -- eval kiln exec "${args%%|*}" c1 "${args#*|}"
    [ "$status" -eq "$ps" ] && assert_same "$po" "$output"
  done
  pm create --name p2 localhost/busybox true >/dev/null
  kiln create --name c2 localhost/busybox true >/dev/null
  run pm exec p2 true; ps=$status; po=$output
  run kiln exec c2 true
  [ "$status" -eq "$ps" ] && assert_same "$po" "$output"
  pm rm -a -f -t 0 >/dev/null
}

@test "exec -t: a terminal of the container's (controlling, in its /dev/pts), exit status kept, -i input" {
  while read -r iso; do
    kiln rm -a -f -t 0 >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    start_sleeper c1 $iso
    run -0 kiln exec -t c1 sh -c 'test -t 0 && echo yes; tty; cut -d" " -f7 /proc/self/stat'
    out=$(printf '%s' "$output" | tr -d '\r')
    [[ "$out" =~ ^yes$'\n'/dev/pts/[0-9]+$'\n'[1-9][0-9]*$ ]] || { echo "$iso: $output"; false; }
    [[ "$output" == *$'\r'* ]]  # the terminal's ONLCR
    run -7 kiln exec -t c1 sh -c 'exit 7'
    run -0 kiln exec -i -t c1 sh -c 'read l; echo got $l' <<<in
    [[ "$(printf '%s' "$output" | tr -d '\r')" == *"got in"* ]]
    run -127 kiln exec -t c1 nosuchcommand
  done < <(isolations)
}
