#!/usr/bin/env bats
# Rootless kiln (issue 14): kiln run by unprivileged users that this file creates itself
# (useradd, subordinate ID ranges, a home), and removes again. Run as root, as CI does;
# skipped otherwise. The tests run in order and share the users' stores.
load helpers
load registry

setup_file() {
  if [ "$(id -u)" -ne 0 ]; then skip "needs root to create the test users"; fi
  command -v useradd >/dev/null && command -v runuser >/dev/null || skip "needs useradd and runuser"
  command -v newuidmap >/dev/null || skip "needs newuidmap (Debian's uidmap)"
  # What the users run must be readable by them: the binary and the base image, in a
  # directory of their own (the bats temp directories are root's, mode 0700).
  export RL_SHARE=$(mktemp -d /tmp/kiln-rootless.XXXXXX)
  chmod 755 "$RL_SHARE"
  install -m 755 "$KILN_BIN" "$RL_SHARE/kiln"
  cp -p "$(busybox_tar)" "$RL_SHARE/busybox.tar"  # import dates the image by the file && chmod 644 "$RL_SHARE/busybox.tar"
  export RL_MARKER=$RL_SHARE/marker
  touch "$RL_MARKER"
  sleep 1  # -newer compares whole seconds on some filesystems
  local suffix=$$
  export RL_A=krla$suffix RL_B=krlb$suffix RL_C=krlc$suffix
  useradd -m -s /bin/sh "$RL_A"
  useradd -m -s /bin/sh "$RL_B"
  # A system user gets no subordinate ranges: the single-ID case.
  useradd -r -m -s /bin/sh "$RL_C"
  for u in "$RL_A" "$RL_B"; do
    grep -q "^$u:" /etc/subuid || usermod --add-subuids "$(free_range)" "$u"
    grep -q "^$u:" /etc/subgid || usermod --add-subgids "$(free_range)" "$u"
  done
  ! grep -q "^$RL_C:" /etc/subuid
}

teardown_file() {
  [ -n "${RL_A:-}" ] || return 0
  for u in "$RL_A" "$RL_B" "$RL_C"; do
    id "$u" >/dev/null 2>&1 || continue
    # The user's pause process (kiln's namespace) and any container still running.
    as "$u" "$RL_SHARE/kiln" rm -af >/dev/null 2>&1 || true
    as "$u" "$RL_SHARE/kiln" system migrate >/dev/null 2>&1 || true
    local uid
    uid=$(id -u "$u")
    userdel -r "$u" >/dev/null 2>&1 || true
    rm -rf "/tmp/kiln-$uid"
  done
  rm -rf "$RL_SHARE"
}

setup() { setup_store; }
teardown() {
  if [ -n "${REG_PID:-}" ]; then stop_registry; fi
  cleanup_test_store
}

# A 65536-ID range above every range in /etc/subuid and /etc/subgid.
free_range() {
  local top
  top=$(cat /etc/subuid /etc/subgid | awk -F: '{ e = $2 + $3; if (e > m) m = e } END { print (m > 300000 ? m : 300000) }')
  echo "$top-$((top + 65535))"
}

# Runs a command as user $1 in their home, with a login-like environment.
as() {
  local u=$1
  shift
  local home
  home=$(getent passwd "$u" | cut -d: -f6)
  runuser -u "$u" -- env -i -C "$home" HOME="$home" USER="$u" LOGNAME="$u" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
ka() { as "$RL_A" "$RL_SHARE/kiln" "$@"; }
kb() { as "$RL_B" "$RL_SHARE/kiln" "$@"; }
kc() { as "$RL_C" "$RL_SHARE/kiln" "$@"; }
home_of() { getent passwd "$1" | cut -d: -f6; }
first_sub() { awk -F: -v u="$1" '$1 == u { print $2; exit }' "$2"; }

# A context that exercises ownership: RUN chown, COPY --chown, USER nobody, two stages.
write_context() {
  local dir=$1
  mkdir -p "$dir"
  echo data > "$dir/data.txt"
  cat > "$dir/Containerfile" <<'EOF2'
FROM localhost/busybox AS helper
RUN echo from-helper > /helper

FROM localhost/busybox
RUN echo hi > /x && id -u > /id
RUN touch /f && chown 123:456 /f
COPY --chown=1000:1000 data.txt /data.txt
COPY --from=helper /helper /helper
USER nobody
RUN id -u > /tmp/nobody-id
EOF2
  chmod -R a+rX "$dir"
}

@test "rootless: import, build with RUN, COPY --chown, chown, USER nobody, multi-stage, layer cache" {
  ka import -q "$RL_SHARE/busybox.tar" localhost/busybox
  write_context "$RL_SHARE/ctx"
  run ka build -t t1 "$RL_SHARE/ctx"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run ka run --rm t1 sh -c 'cat /x /id /helper /tmp/nobody-id; stat -c "%u:%g %n" /f /data.txt'
  [ "$status" -eq 0 ]
  assert_same "hi
0
from-helper
65534
123:456 /f
1000:1000 /data.txt" "$output"
  # On disk, the owners are the user's subordinate IDs: 0 is the user, n is first+n-1.
  local sub_u sub_g snaps f x
  sub_u=$(first_sub "$RL_A" /etc/subuid)
  sub_g=$(first_sub "$RL_A" /etc/subgid)
  snaps=$(home_of "$RL_A")/.local/share/kiln/snapshots
  f=$(find "$snaps" -path '*/fs/f' | head -1)
  x=$(find "$snaps" -path '*/fs/x' | head -1)
  [ "$(stat -c %u:%g "$f")" = "$((sub_u + 122)):$((sub_g + 455))" ]
  [ "$(stat -c %u:%g "$x")" = "$(id -u "$RL_A"):$(id -g "$RL_A")" ]
  # The layer cache: a second build runs nothing.
  run ka build -t t1 "$RL_SHARE/ctx"
  [ "$status" -eq 0 ]
  [ "$(grep -c 'Using cache' <<<"$output")" -ge 5 ]
}

@test "rootless: kiln unshare shows the user as root and the subordinate mapping" {
  run ka unshare id -u
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
  run ka unshare cat /proc/self/uid_map
  [ "$status" -eq 0 ]
  [[ "$output" == *" 0 "*"$(id -u "$RL_A") "*"1"* ]]
  [[ "$output" == *" 1 "*"$(first_sub "$RL_A" /etc/subuid)"* ]]
  run ka unshare sh -c 'echo $CONTAINERS_GRAPHROOT'
  [ "$output" = "$(home_of "$RL_A")/.local/share/kiln" ]
  # As root there is no namespace to enter (podman's words).
  run kiln unshare true
  [ "$status" -eq 125 ]
  [ "$output" = "Error: please use unshare with rootless" ]
}

@test "rootless: info reports rootless, the user's ID mappings and store paths; as root, not rootless" {
  run ka info --format '{{.Host.Security.Rootless}} {{.Store.GraphRoot}} {{.Store.RunRoot}} {{.Store.GraphDriverName}}'
  [ "$status" -eq 0 ]
  assert_same "true $(home_of "$RL_A")/.local/share/kiln /tmp/kiln-$(id -u "$RL_A") overlay" "$output"
  run ka info --format json
  [ "$status" -eq 0 ]
  [ "$(jq -c '.host.idMappings.uidmap[0:2]' <<<"$output")" = \
    "[{\"container_id\":0,\"host_id\":$(id -u "$RL_A"),\"size\":1},{\"container_id\":1,\"host_id\":$(first_sub "$RL_A" /etc/subuid),\"size\":65536}]" ]
  # The overlay probe mounts for real inside the user's namespace (kernel ≥ 5.11).
  [ "$(jq -r '.store.graphStatus["Native Overlay Diff"]' <<<"$output")" = true ]
  [ "$(jq -r '.store.imageStore.number' <<<"$output")" -ge 1 ]
  # The default output is YAML, as podman's.
  run ka info
  [[ "$output" == *"  security:"*"    rootless: true"* ]]
  run kiln info --format '{{.Host.Security.Rootless}} {{.Store.GraphRoot}}'
  assert_same "false $TEST_ROOT/root" "$output"
}

@test "rootless: run --rm, run -d, logs, stop of a container running as nobody, rm" {
  run ka run --rm localhost/busybox echo hello
  [ "$status" -eq 0 ]
  [ "$output" = hello ]
  run ka run --rm localhost/busybox sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run ka run -d --name bg --user nobody localhost/busybox sh -c 'echo up; sleep 300'
  [ "$status" -eq 0 ]
  sleep 0.5
  run ka logs bg
  [ "$output" = up ]
  run ka ps --format '{{.Names}} {{.Status}}'
  [[ "$output" == "bg Up "* ]]
  # Another kiln process (a new one each command) can stop a container of another user ID.
  run ka stop -t 1 bg
  [ "$status" -eq 0 ]
  run ka ps -a --format '{{.Names}} {{.Status}}'
  [[ "$output" == "bg Exited (137)"* ]]
  run ka rm bg
  [ "$status" -eq 0 ]
  run ka ps -aq
  [ -z "$output" ]
}

@test "rootless: --network none has only a loopback interface" {
  run ka run --rm --network none localhost/busybox sh -c 'ls /sys/class/net'
  [ "$status" -eq 0 ]
  [ "$output" = lo ]
}

@test "rootless: a pod's containers share its infra container's uts and ipc namespaces" {
  ka pod create --name rp >/dev/null
  ka run -d --pod rp --name m1 localhost/busybox sleep 300 >/dev/null
  a=$(ka exec m1 sh -c 'hostname; ls -l /proc/self/ns/uts /proc/self/ns/ipc | sed "s/.*-> //"')
  b=$(ka run --rm --pod rp localhost/busybox sh -c 'hostname; ls -l /proc/self/ns/uts /proc/self/ns/ipc | sed "s/.*-> //"')
  [ "$a" = "$b" ]
  [ "${a%%$'\n'*}" = rp ]
  run ka pod rm -f -t 0 rp
  [ "$status" -eq 0 ]
  run ka ps -aq
  [ -z "$output" ]
}

@test "rootless: save then load keeps image owners (123/456, 0/0), never the user's uid" {
  ka save -o save.tar t1
  local dir=$TEST_ROOT/save
  mkdir -p "$dir"
  tar -xf "$(home_of "$RL_A")/save.tar" -C "$dir"
  local listing
  listing=$(for l in $(jq -r '.[0].Layers[]' "$dir/manifest.json"); do tar --numeric-owner -tvf "$dir/$l"; done)
  grep -q ' 123/456 .* f$' <<<"$listing"
  grep -q ' 1000/1000 .* data.txt$' <<<"$listing"
  grep -q ' 0/0 .* x$' <<<"$listing"
  ! grep -q " $(id -u "$RL_A")/" <<<"$listing"
  ! grep -q " $(first_sub "$RL_A" /etc/subuid)" <<<"$listing"
  # Loaded into another store of the same user: the same owners inside.
  run ka --root "$(home_of "$RL_A")/alt" load -i save.tar
  [ "$status" -eq 0 ]
  run ka --root "$(home_of "$RL_A")/alt" run --rm t1 stat -c '%u:%g' /f
  [ "$output" = "123:456" ]
  [ -f "$(home_of "$RL_A")/alt/kiln.db" ]
}

@test "rootless: an image built rootless has the same diffIDs and image ID as the one built as root (--timestamp 0)" {
  import_busybox >/dev/null
  # The context belongs to the user: rootless kiln sees its files as 0, rootful kiln as the
  # user's uid; COPY gives them root either way, so nothing may differ.
  local ctx
  ctx=$(home_of "$RL_A")/ctx-owned
  cp -a "$RL_SHARE/ctx" "$ctx"
  chown -R "$RL_A:" "$ctx"
  kiln build -q --timestamp 0 -t same "$ctx" >/dev/null
  ka build -q --timestamp 0 -t same "$ctx" >/dev/null
  local as_root as_user
  as_root=$(kiln inspect --format '{{json .RootFS.Layers}} {{.Id}}' same)
  as_user=$(ka inspect --format '{{json .RootFS.Layers}} {{.Id}}' same)
  assert_same "$as_root" "$as_user" || {
    diff <(kiln inspect --format '{{json .History}} {{json .Config}}' same) <(ka inspect --format '{{json .History}} {{json .Config}}' same)
    false
  }
}

@test "rootless: push and pull against a registry on 127.0.0.1" {
  has_registry || skip "docker-registry not installed"
  start_registry
  run ka push --tls-verify=false t1 "$REG/rl/t1:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run ka --root "$(home_of "$RL_A")/pulled" pull --tls-verify=false "$REG/rl/t1:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run ka --root "$(home_of "$RL_A")/pulled" run --rm "$REG/rl/t1:1" stat -c '%u:%g' /f /data.txt
  assert_same "123:456
1000:1000" "$output"
}

@test "rootless: rmi, image prune, system df, system prune, system reset" {
  ka tag t1 t1:extra
  run ka rmi t1:extra
  [ "$status" -eq 0 ]
  [[ "$output" == "Untagged: localhost/t1:extra" ]]
  run ka system df
  [ "$status" -eq 0 ]
  [[ "$output" == *Images* ]]
  run ka image prune -f
  [ "$status" -eq 0 ]
  run ka system prune -f
  [ "$status" -eq 0 ]
  local reset_root
  reset_root=$(home_of "$RL_A")/alt
  run ka --root "$reset_root" system reset -f
  [ "$status" -eq 0 ]
  run ka --root "$reset_root" images -q
  [ -z "$output" ]
  # The default store still has its images.
  run ka images --format '{{.Repository}}'
  [[ "$output" == *localhost/t1* ]]
}

@test "rootless: a user without subordinate IDs works in a single-ID namespace, with one warning" {
  run kc import -q "$RL_SHARE/busybox.tar" localhost/busybox
  [ "$status" -eq 0 ]
  [ "$(grep -c 'level=warning' <<<"$output")" -eq 1 ]
  [[ "$output" == *"single-ID user namespace"* ]]
  # An image whose files belong to 123:456 loads; they become root's.
  cp "$(home_of "$RL_A")/save.tar" "$RL_SHARE/save.tar"
  chmod 644 "$RL_SHARE/save.tar"
  run kc load -i "$RL_SHARE/save.tar"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(grep -c 'level=warning' <<<"$output")" -eq 1 ]
  run kc run --rm --user 0 t1 stat -c '%u:%g' /f
  [ "$status" -eq 0 ]
  [[ "$output" == *"0:0" ]]
  # Its USER nobody does not exist in a single-ID namespace: a clear error, as podman fails.
  run kc run --rm t1 true
  [ "$status" -eq 125 ]
  [[ "$output" == *"setting user 65534:65534: the ID is not mapped in the rootless user namespace"* ]]
  run kc run --rm localhost/busybox echo ok
  [[ "$output" == *ok ]]
}

@test "rootless: mount commands refuse outside kiln unshare (podman's words) and work inside it" {
  for cmd in "mount" "umount" "container mount" "container unmount" "image mount" "image umount"; do
    run ka $cmd
    [ "$status" -eq 125 ]
    [ "$output" = "Error: cannot run command \"kiln ${cmd/unmount/umount}\" in rootless mode, must execute \`kiln unshare\` first" ]
  done
  ka import -q "$RL_SHARE/busybox.tar" localhost/mount-bb >/dev/null
  ka run --name mnt1 localhost/mount-bb sh -c 'echo hi > /f' >/dev/null
  run ka unshare sh -c "p=\$($RL_SHARE/kiln mount mnt1) && cat \$p/f && $RL_SHARE/kiln umount mnt1"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'hi\nmnt1')" ]
  ka rm mnt1 >/dev/null
}

@test "rootless: two users' stores are independent of each other and of root's" {
  kb import -q "$RL_SHARE/busybox.tar" localhost/only-b >/dev/null
  run kb images --format '{{.Repository}}'
  assert_same "localhost/only-b" "$output"
  run ka images --format '{{.Repository}}'
  [[ "$output" != *only-b* ]]
  [[ "$output" == *localhost/t1* ]]
  run "$KILN_BIN" --root "$TEST_ROOT/root" images --format '{{.Repository}}'
  [ -z "$output" ]
  # Defaults: the user's home and runtime directory, root's /var/lib/kiln.
  [ -f "$(home_of "$RL_B")/.local/share/kiln/kiln.db" ]
  [ -d "/tmp/kiln-$(id -u "$RL_B")" ]
  [ "$(stat -c %U "$(home_of "$RL_B")/.local/share/kiln/kiln.db")" = "$RL_B" ]
}

@test "rootless: no cgroup limits on cgroup v1, said once at debug level" {
  run ka --log-level debug images -q
  [ "$status" -eq 0 ]
  if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
    [[ "$output" != *cgroup* ]]
  else
    [ "$(grep -c 'no cgroup limits' <<<"$output")" -eq 1 ]
  fi
  run ka images -q
  [[ "$output" != *cgroup* ]]
}

@test "rootless: every file the users' kiln wrote is in their home or runtime directory" {
  local u uid home bad=
  for u in "$RL_A" "$RL_B" "$RL_C"; do
    uid=$(id -u "$u")
    home=$(home_of "$u")
    while IFS= read -r f; do
      case $f in "$home" | "$home"/* | "/tmp/kiln-$uid" | "/tmp/kiln-$uid"/*) ;; *) bad+="$f"$'\n' ;; esac
    done < <(find / -xdev -newer "$RL_MARKER" -user "$u" 2>/dev/null)
  done
  [ -z "$bad" ] || { echo "written elsewhere: $bad"; false; }
}
