#!/usr/bin/env bats
# Containers: run/create/start/stop/kill/wait/logs/ps/rm/export/container prune, on the
# built-in isolation and on each installed OCI runtime; nothing may stay mounted.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
}

teardown() {
  kiln rm -a -f -t 0 >/dev/null 2>&1 || true
  local st=0
  no_mounts_left || st=1
  cleanup_test_store
  return $st
}

# The isolations to test: the built-in one, and oci with every runtime on PATH.
isolations() {
  echo chroot
  command -v runc >/dev/null && echo "oci:runc"
  # crun refuses cgroup v1 and hybrid hosts (kiln then falls back to runc with a warning)
  if command -v crun >/dev/null && [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo "oci:crun"; fi
  return 0
}
iso_flags() {
  case $1 in
    chroot) echo "--isolation chroot" ;;
    oci:*) echo "--isolation oci --runtime ${1#oci:}" ;;
  esac
}

# kiln's own store and run directory only (podman, in $TEST_ROOT/podman, mounts its own).
no_mounts_left() {
  if grep -E -q "$TEST_ROOT/(root|run)" /proc/self/mountinfo; then
    grep -E "$TEST_ROOT/(root|run)" /proc/self/mountinfo >&2
    return 1
  fi
}

@test "run: output, exit status, podman's 126/127/125 on every isolation" {
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    run kiln run --rm $f busybox echo hi
    [ "$status" -eq 0 ] && [ "$output" = "hi" ] || { echo "$iso: $output"; false; }
    run kiln run --rm $f busybox sh -c 'exit 3'
    [ "$status" -eq 3 ]
    run -127 --separate-stderr kiln run --rm $f busybox nosuchcmd
    [ "$status" -eq 127 ]
    [[ "$stderr" == *'exec: "nosuchcmd": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found'* ]]
    run -126 --separate-stderr kiln run --rm $f busybox /etc/passwd
    [ "$status" -eq 126 ]
    [[ "$stderr" == *"permission denied: OCI permission denied"* ]]
    run kiln run --rm $f busybox sh -c 'exit 255'
    [ "$status" -eq 255 ]
  done
  run kiln run --rm nosuch:img true
  [ "$status" -eq 125 ]
  run kiln ps -aq
  [ -z "$output" ]
  [ -z "$(ls "$TEST_ROOT/root/containers")" ]
}

@test "run: an environment larger than one argv string (2 x 100 kB) reaches the container" {
  import_busybox >/dev/null
  big=$(head -c 100000 /dev/zero | tr '\0' x)
  for iso in $(isolations); do
    run -0 kiln run --rm $(iso_flags $iso) -e A=$big -e B=$big busybox sh -c 'echo $((${#A} + ${#B}))'
    [ "$output" = 200000 ]
  done
}

@test "run: env, workdir, user, entrypoint from the image config and from flags" {
  kiln import -q --change 'ENV FOO=bar' --change 'WORKDIR /srv/app' --change 'USER nobody' \
    --change 'ENTRYPOINT ["/bin/sh", "-c"]' --change 'CMD ["echo default"]' "$(busybox_tar)" cfg:1 >/dev/null
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    run kiln run --rm $f cfg:1
    [ "$output" = "default" ]
    run kiln run --rm $f cfg:1 'echo $FOO $(pwd) $(id -u):$(id -g) $HOME $HOSTNAME'
    [[ "$output" =~ ^bar\ /srv/app\ 65534:65534\ /nonexistent\ [0-9a-f]{12}$ ]] || { echo "$iso: $output"; false; }
    run kiln run --rm $f -e FOO=baz -e NEW=1 -w /tmp -u 0:0 --hostname box cfg:1 'echo $FOO $NEW $(pwd) $(id -u) $(hostname)'
    [ "$output" = "baz 1 /tmp 0 box" ] || { echo "$iso: $output"; false; }
    run kiln run --rm $f --entrypoint /bin/echo cfg:1 plain
    [ "$output" = "plain" ]
    printf 'A=1\n# comment\nB=two words\n' > "$TEST_ROOT/envfile"
    run kiln run --rm $f --env-file "$TEST_ROOT/envfile" busybox sh -c 'echo "$A/$B"'
    [ "$output" = "1/two words" ]
  done
}

@test "run: -v bind mounts, read-only ones, /etc/hosts and hostname, network modes" {
  mkdir -p "$TEST_ROOT/vol"
  echo host-file > "$TEST_ROOT/vol/in.txt"
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    run kiln run --rm $f -v "$TEST_ROOT/vol:/data" busybox sh -c 'cat /data/in.txt; echo from-ctr > /data/out.txt'
    [ "$output" = "host-file" ]
    [ "$(cat "$TEST_ROOT/vol/out.txt")" = "from-ctr" ]
    run kiln run --rm $f -v "$TEST_ROOT/vol:/data:ro" busybox sh -c 'echo x > /data/x'
    [ "$status" -ne 0 ]
    [ ! -e "$TEST_ROOT/vol/x" ]
    run kiln run --rm $f --hostname hh busybox sh -c 'cat /etc/hostname; grep -c hh /etc/hosts'
    [ "$output" = "hh
1" ]
    run kiln run --rm $f --network none busybox sh -c 'ls /sys/class/net | tr "\n" " "'
    [ "$output" = "lo " ]
    run kiln run --rm $f --network private busybox sh -c 'ping -c1 -W1 127.0.0.1 >/dev/null && echo up'
    [ "$output" = "up" ]
  done
  # A relative path is not a volume name (a bare name is one: 195-volumes).
  run kiln run --rm -v relative/path:/x busybox true
  [ "$status" -eq 125 ]
}

@test "run --rm leaves no container, no files; a named run keeps its row and logs" {
  kiln run --rm --name gone busybox true
  run kiln container exists gone
  [ "$status" -eq 1 ]
  run kiln run --name kept busybox sh -c 'echo out; echo err >&2'
  [ "$status" -eq 0 ]
  run kiln container exists kept
  [ "$status" -eq 0 ]
  run --separate-stderr kiln logs kept
  [ "$output" = "out" ]
  [ "$stderr" = "err" ]
  run --separate-stderr kiln run --name kept busybox true
  [ "$status" -eq 125 ]
  [[ "$stderr" == *'the container name "kept" is already in use'* ]]
}

@test "--runtime crun on a cgroup v1/hybrid host falls back to runc with a warning" {
  command -v crun >/dev/null || skip "crun not installed"
  command -v runc >/dev/null || skip "runc not installed"
  [ ! -f /sys/fs/cgroup/cgroup.controllers ] || skip "pure cgroup v2 host: crun runs"
  run --separate-stderr kiln run --rm --runtime crun busybox echo hi
  [ "$status" -eq 0 ]
  [ "$output" = "hi" ]
  [[ "$stderr" == *"crun does not support this host's cgroup v1/hybrid setup; using "*runc* ]]
}

@test "-d, ps, logs, stop, wait, kill, start" {
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    id=$(kiln run -d $f --name bg busybox sh -c 'echo started; exec sleep 100')
    [[ "$id" =~ ^[0-9a-f]{64}$ ]]
    run kiln ps --format '{{.Names}} {{.State}}'
    [[ "$output" == "bg Up "* ]]
    run kiln ps -q
    [ "$output" = "${id:0:12}" ]
    sleep 0.2
    run kiln logs bg
    [ "$output" = "started" ]
    run --separate-stderr kiln stop -t 1 bg
    [ "$status" -eq 0 ]
    [ "$output" = "bg" ]
    run kiln wait bg
    [ "$output" = "137" ]
    run kiln ps -a --format '{{.Names}} {{.ExitCode}} {{.Status}}'
    [[ "$output" == "bg 137 Exited (137) "* ]]
    run kiln start bg
    [ "$output" = "bg" ]
    run kiln kill bg
    [ "$output" = "bg" ]
    run kiln wait bg
    [ "$output" = "137" ]
    run --separate-stderr kiln kill bg
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"can only kill running containers"* ]]
    kiln rm bg
    # A container whose process ends by itself: the monitor records its status.
    kiln run -d $f --name quick busybox sh -c 'exit 5' >/dev/null
    run kiln wait quick
    [ "$output" = "5" ]
    kiln rm quick
    # --rm: the row goes when it ends, but wait still learns the status (exit file).
    kiln run -d --rm $f --name auto busybox sh -c 'sleep 0.5; exit 6' >/dev/null
    run kiln wait auto
    [ "$output" = "6" ]
    run kiln container exists auto
    [ "$status" -eq 1 ]
  done
}

@test "create, start -a, rm of a running container, rm -f" {
  id=$(kiln create --name c busybox echo from-c)
  run kiln ps -a --format '{{.ID}} {{.Status}}'
  [ "$output" = "${id:0:12} Created" ]
  run kiln start -a c
  [ "$output" = "from-c" ]
  kiln run -d --name r busybox sleep 100 >/dev/null
  run --separate-stderr kiln rm r
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"as it is running - running or paused containers cannot be removed without force: container state improper" ]]
  run kiln rm -f -t 0 r
  [ "$status" -eq 0 ]
  [ "$output" = "r" ]
  run --separate-stderr kiln rm nosuch
  [ "$status" -eq 1 ]
  [ "$stderr" = 'Error: no container with name or ID "nosuch" found: no such container' ]
  run kiln rm -i nosuch
  [ "$status" -eq 0 ]
}

@test "ps: podman's table, --no-trunc, filters (ancestor by short name too)" {
  kiln tag busybox myapp:1.0
  kiln run --name a myapp:1.0 true
  kiln run --name b busybox sh -c 'exit 2' || true
  kiln create --name c busybox true >/dev/null
  run kiln ps -a
  [[ "${lines[0]}" =~ ^CONTAINER\ ID\ \ IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
  [[ "${lines[1]}" =~ ^[0-9a-f]{12}\ \ localhost/myapp:1.0\ +true\ +[A-Za-z0-9\ ]+ago\ +Exited\ \(0\)\ .*\ a$ ]]
  run kiln ps -a --filter ancestor=myapp:1.0 --format '{{.Names}}'
  [ "$output" = "a
b
c" ]  # one image: every container of it
  kiln import -q "$(busybox_tar)" other:1 >/dev/null  # same content: same image ID
  run kiln ps -a --filter status=exited --format '{{.Names}}'
  [ "$output" = "a
b" ]
  run kiln ps -a --filter status=created --format '{{.Names}}'
  [ "$output" = "c" ]
  run kiln ps -a --filter name=^b --format '{{.Names}}'
  [ "$output" = "b" ]
  run kiln ps -a --filter exited=2 --format '{{.Names}}'
  [ "$output" = "b" ]
  run kiln ps -a --no-trunc -q
  [[ "${lines[0]}" =~ ^[0-9a-f]{64}$ ]]
  run kiln ps -a --format json
  [ "$(echo "$output" | jq -r '.[0].Names[0]')" = "a" ]
  [ "$(echo "$output" | jq -r '.[1].ExitCode')" = "2" ]
  run kiln ps --filter bogus=1
  [ "$status" -eq 125 ]
}

@test "ps matches podman's layout and exit codes side by side" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  for tool in kiln pm; do
    $tool run --name x busybox sh -c 'echo out; echo err >&2; exit 4' >/dev/null 2>&1 || true
  done
  # (Status holds "N seconds ago": only its fixed part is compared)
  k=$(kiln ps -a --format '{{.Image}}|{{.Command}}|{{slice .Status 0 10}}|{{.Names}}|{{.ExitCode}}|{{.Exited}}')
  p=$(pm ps -a --format '{{.Image}}|{{.Command}}|{{slice .Status 0 10}}|{{.Names}}|{{.ExitCode}}|{{.Exited}}')
  assert_same "$p" "$k"
  assert_same "$(pm ps -a | head -1 | tr -s " ")" "$(kiln ps -a | head -1 | tr -s " ")"
  assert_same "$(pm logs x 2>&1)" "$(kiln logs x 2>&1)"
  run pm rm nosuch; ps=$status; pe=$output
  run kiln rm nosuch
  [ "$status" -eq "$ps" ] && assert_same "$pe" "$output"
  run pm rmi busybox; ps=$status; pe=${output//[0-9a-f]/h}
  run kiln rmi busybox
  [ "$status" -eq "$ps" ] && assert_same "$pe" "${output//[0-9a-f]/h}"
  pm rm -a -f >/dev/null
}

@test "rmi refuses an image in use (exit 2); rmi -f stops and removes its containers" {
  kiln run -d --name r busybox sleep 100 >/dev/null
  kiln create --name c busybox true >/dev/null
  run --separate-stderr kiln rmi busybox
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"image is in use by a container: consider listing external containers and force-removing image" ]]
  run kiln rmi -f busybox
  [ "$status" -eq 0 ]
  run kiln ps -aq
  [ -z "$output" ]
  [ -z "$(ls "$TEST_ROOT/root/containers")" ]
  run pgrep -f "sleep 100 ... r"  # the container process is gone too
  ! kiln container exists r
}

@test "container prune removes stopped containers only" {
  kiln run --name done1 busybox true
  kiln create --name new1 busybox true >/dev/null
  kiln run -d --name live busybox sleep 100 >/dev/null
  run kiln container prune <<< "n"
  [ "$(kiln ps -aq | wc -l)" -eq 3 ]
  ids=$(kiln ps -a --no-trunc --filter status=exited --filter status=created -q | sort)
  run kiln container prune -f
  [ "$status" -eq 0 ]
  assert_same "$ids" "$output"
  run kiln ps -a --format '{{.Names}}'
  [ "$output" = "live" ]
}

@test "export, then import the tar: the container's changes are in the new image" {
  kiln run --name e busybox sh -c 'echo hello > /hello; rm /bin/vi'
  kiln export -o "$TEST_ROOT/e.tar" e
  tar tf "$TEST_ROOT/e.tar" | grep -qx hello
  ! tar tf "$TEST_ROOT/e.tar" | grep -qx bin/vi
  kiln import -q "$TEST_ROOT/e.tar" exported:1 >/dev/null
  run kiln run --rm exported:1 cat /hello
  [ "$output" = "hello" ]
  run kiln run --rm exported:1 ls /bin/vi
  [ "$status" -ne 0 ]
  kiln export e > "$TEST_ROOT/e2.tar"
  cmp "$TEST_ROOT/e.tar" "$TEST_ROOT/e2.tar"
  # A running container: its changes so far, none of its /proc, /dev or bind mounts.
  for iso in $(isolations); do
    kiln run -d $(iso_flags $iso) --name live busybox sh -c 'echo now > /now; exec sleep 100' >/dev/null
    for _ in $(seq 50); do kiln export live | tar t 2>/dev/null | grep -qx now && break; sleep 0.1; done
    kiln export -o "$TEST_ROOT/live.tar" live
    tar tf "$TEST_ROOT/live.tar" | grep -qx now
    ! tar tf "$TEST_ROOT/live.tar" | grep -q '^proc/.'
    ! tar tf "$TEST_ROOT/live.tar" | grep -q '^dev/.'
    kiln rm -f -t 0 live
  done
}

@test "nothing stays mounted, even when the container or kiln is killed" {
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    kiln run -d $f --name k busybox sleep 100 >/dev/null
    no_mounts_left
    pid=$(kiln ps --format '{{.Pid}}')
    kill -9 "$pid"
    run kiln wait k
    [ "$output" = "137" ]
    no_mounts_left
    kiln rm k
    # kill -9 of the foreground kiln: the container is orphaned, ps reports it and rm -f ends it
    kiln run $f --name fg busybox sleep 100 &
    fgpid=$!
    for _ in $(seq 50); do kiln ps --format '{{.Names}}' | grep -q fg && break; sleep 0.1; done
    kill -9 $fgpid
    wait $fgpid || true
    kiln rm -f -t 0 fg
    no_mounts_left
  done
}

@test "run -t: a pseudo-terminal as stdio (controlling, in the container's /dev/pts), exit status kept" {
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    run kiln run --rm -t $f busybox sh -c 'test -t 1 && echo tty'
    [ "$status" -eq 0 ] && [ "$(printf '%s' "$output" | tr -d '\r')" = "tty" ] || { echo "$iso: $output"; false; }
    [[ "$output" == $'tty\r' ]]  # the terminal's ONLCR
    run kiln run --rm $f busybox sh -c 'test -t 1 && echo tty'
    [ "$status" -eq 1 ] && [ -z "$output" ]
    run kiln run --rm -t $f busybox sh -c 'test -t 0 && echo yes; tty; cut -d" " -f7 /proc/self/stat'
    out=$(printf '%s' "$output" | tr -d '\r')
    [[ "$out" =~ ^yes$'\n'/dev/pts/[0-9]+$'\n'[1-9][0-9]*$ ]] || { echo "$iso: $output"; false; }  # tty_nr: a controlling terminal
    run kiln run --rm -t $f busybox sh -c 'echo out; exit 7'
    [ "$status" -eq 7 ] && [ "$(printf '%s' "$output" | tr -d '\r')" = "out" ] || { echo "$iso: $status $output"; false; }
    run -127 kiln run --rm -t $f busybox nosuchcmd
    [ "$status" -eq 127 ]
    # -i -t: stdin reaches the terminal; its end is the terminal's end of file
    run kiln run --rm -i -t $f busybox sh -c 'read l; echo got $l' <<<in
    [ "$status" -eq 0 ] && [[ "$(printf '%s' "$output" | tr -d '\r')" == *"got in"* ]] || { echo "$iso: $output"; false; }
  done
}

@test "run -d -t, create -t/start: the monitor holds the terminal and logs its output" {
  for iso in $(isolations); do
    f=$(iso_flags $iso)
    kiln run -d -t $f --name tt busybox sh -c 'test -t 1 && echo detached-tty; exit 5' >/dev/null
    run kiln wait tt
    [ "$output" = "5" ] || { echo "$iso: $output"; false; }
    run kiln logs tt
    [ "$(printf '%s' "$output" | tr -d '\r')" = "detached-tty" ] || { echo "$iso: $output"; false; }
    kiln rm tt >/dev/null
    kiln create -t $f --name ct busybox sh -c 'tty' >/dev/null
    kiln start ct >/dev/null
    run kiln wait ct
    [ "$output" = "0" ] || { echo "$iso: wait: $output"; kiln logs ct; false; }
    run kiln logs ct
    [[ "$(printf '%s' "$output" | tr -d '\r')" =~ ^/dev/pts/[0-9]+$ ]] || { echo "$iso: $output"; false; }
    run kiln start -a ct
    [ "$status" -eq 0 ] && [[ "$(printf '%s' "$output" | tr -d '\r')" =~ ^/dev/pts/[0-9]+$ ]] || { echo "$iso: $output"; false; }
    kiln rm ct >/dev/null
  done
}
