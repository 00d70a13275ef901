#!/usr/bin/env bats
# Rootless storage drivers and network (issue 14): the kernel's overlay, overlay through
# fuse-overlayfs (--storage-opt overlay.mount_program=…), and copying (--storage-driver vfs)
# give the same layers for the same build, `kiln info` says which is in use, and
# storage.conf selects one; `--network private` is slirp4netns. Run as root (the suite
# creates its user); /dev/fuse and /dev/net/tun are opened to users for the suite's
# duration, as udev does on an ordinary host, and their modes restored after.
load helpers

FUSE_PROGRAM=$(command -v fuse-overlayfs || true)

setup_file() {
  if [ "$(id -u)" -ne 0 ]; then skip "needs root to create the test user"; fi
  command -v useradd >/dev/null && command -v runuser >/dev/null || skip "needs useradd and runuser"
  command -v newuidmap >/dev/null || skip "needs newuidmap (Debian's uidmap)"
  export RD_SHARE=$(mktemp -d /tmp/kiln-rldrv.XXXXXX)
  chmod 755 "$RD_SHARE"
  install -m 755 "$KILN_BIN" "$RD_SHARE/kiln"
  cp -p "$(busybox_tar)" "$RD_SHARE/busybox.tar"
  chmod 644 "$RD_SHARE/busybox.tar"
  local dev
  for dev in /dev/fuse /dev/net/tun; do
    [ -c "$dev" ] || continue
    stat -c %a "$dev" > "$RD_SHARE/mode-$(basename "$dev")"
    chmod 0666 "$dev"
  done
  export RD_U=krld$$
  useradd -m -s /bin/sh "$RD_U"
  local top
  top=$(cat /etc/subuid /etc/subgid | awk -F: '{ e = $2 + $3; if (e > m) m = e } END { print (m > 300000 ? m : 300000) }')
  usermod --add-subuids "$top-$((top + 65535))" --add-subgids "$top-$((top + 65535))" "$RD_U"
  write_context "$RD_SHARE/ctx"
}

teardown_file() {
  local dev
  for dev in /dev/fuse /dev/net/tun; do
    if [ -s "${RD_SHARE:-/nonexistent}/mode-$(basename "$dev")" ]; then chmod "$(cat "$RD_SHARE/mode-$(basename "$dev")")" "$dev"; fi
  done
  if [ -n "${HTTP_PID:-}" ]; then kill "$HTTP_PID" 2>/dev/null || true; fi
  [ -n "${RD_U:-}" ] || return 0
  if id "$RD_U" >/dev/null 2>&1; then
    local uid
    uid=$(id -u "$RD_U")
    pkill -KILL -u "$uid" -x fuse-overlayfs 2>/dev/null || true
    pkill -KILL -u "$uid" -x slirp4netns 2>/dev/null || true
    userdel -r "$RD_U" >/dev/null 2>&1 || true
    rm -rf "/tmp/kiln-$uid"
  fi
  rm -rf "$RD_SHARE"
}

setup() { setup_store; }

# No fuse-overlayfs of the user's is left: each dies with the command that mounted it
# (PR_SET_PDEATHSIG), within a second (until then it may still be exiting or unreaped).
no_fuse_left() {
  local i
  for i in $(seq 20); do
    pgrep -u "$(id -u "$RD_U")" -x fuse-overlayfs >/dev/null || return 0
    sleep 0.1
  done
  pgrep -a -u "$(id -u "$RD_U")" -x fuse-overlayfs
  false
}
teardown() { cleanup_test_store; }

as_user() {
  local home
  home=$(getent passwd "$RD_U" | cut -d: -f6)
  runuser -u "$RD_U" -- env -i -C "$home" HOME="$home" USER="$RD_U" LOGNAME="$RD_U" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# kiln as the user, in a store of its own per driver: kd DRIVER ARGS...
kd() {
  local d=$1
  shift
  local flags=(--root ".local/share/kiln-$d")
  case $d in
    fuse) flags+=(--storage-opt "overlay.mount_program=$FUSE_PROGRAM") ;;
    vfs) flags+=(--storage-driver vfs) ;;
  esac
  as_user "$RD_SHARE/kiln" "${flags[@]}" "$@"
}

# RUN (a new file, a changed file, a deleted file and directory, a new directory, a
# directory removed and made again), COPY with an owner, a hard link.
write_context() {
  mkdir -p "$1"
  echo data > "$1/data.txt"
  cat > "$1/Containerfile" <<'EOF2'
FROM localhost/busybox
RUN echo hi > /x && ln /x /x-link && echo changed >> /etc/passwd && rm -rf /etc/group /var && mkdir -p /srv/new
RUN touch /f && chown 123:456 /f && mkdir /d && echo in-d > /d/in
COPY --chown=1000:1000 data.txt /data.txt
RUN rm /d/in && echo after > /d/after && rm -rf /d && mkdir -p /d/again && echo again > /d/again/f
EOF2
  chmod -R a+rX "$1"
}

@test "rootless drivers: info names the driver; flags and storage.conf select it" {
  [ -n "$FUSE_PROGRAM" ] || skip "fuse-overlayfs is not installed"
  run kd native info --format '{{.Store.GraphDriverName}} {{index .Store.GraphStatus "Native Overlay Diff"}} {{len .Store.GraphOptions}}'
  [ "$status" -eq 0 ]
  assert_same "overlay true 0" "$output"
  run kd fuse info --format json
  [ "$status" -eq 0 ]
  assert_same "overlay false $FUSE_PROGRAM" \
    "$(jq -r '[.store.graphDriverName, .store.graphStatus["Native Overlay Diff"], .store.graphOptions["overlay.mount_program"].Executable] | join(" ")' <<<"$output")"
  run kd vfs info --format '{{.Store.GraphDriverName}} {{len .Store.GraphOptions}} {{len .Store.GraphStatus}}'
  [ "$status" -eq 0 ]
  assert_same "vfs 0 0" "$output"
  # The user's storage.conf, as containers/storage reads it; flags win over it.
  local conf
  conf=$(getent passwd "$RD_U" | cut -d: -f6)/.config/containers
  as_user mkdir -p "$conf"
  printf '[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "%s"\n' "$FUSE_PROGRAM" | as_user tee "$conf/storage.conf" >/dev/null
  run as_user "$RD_SHARE/kiln" info --format '{{.Store.GraphDriverName}} {{index .Store.GraphOptions "overlay.mount_program"}}'
  [ "$status" -eq 0 ]
  assert_same "overlay map[Executable:$FUSE_PROGRAM]" "$output"
  printf '[storage]\ndriver = "vfs"\n' | as_user tee "$conf/storage.conf" >/dev/null
  run as_user "$RD_SHARE/kiln" info --format '{{.Store.GraphDriverName}}'
  assert_same vfs "$output"
  run as_user "$RD_SHARE/kiln" --storage-driver overlay info --format '{{.Store.GraphDriverName}}'
  assert_same overlay "$output"
  as_user rm -f "$conf/storage.conf"
  # Bad input: podman's exit code, a message naming what is wrong.
  run kd native --storage-driver zfs info
  [ "$status" -eq 125 ]
  [[ "$output" == 'Error: unknown storage driver "zfs"'* ]]
  run kd native --storage-opt overlay.mount_program=/nonexistent/fuse info
  [ "$status" -eq 125 ]
  [[ "$output" == *'"/nonexistent/fuse" not found'* ]]
}

@test "rootless drivers: native overlay, fuse-overlayfs and copying build the same layers" {
  [ -n "$FUSE_PROGRAM" ] || skip "fuse-overlayfs is not installed"
  local d diffs=() want
  want="hi
hi
1
changed
no-group
new
123:456 /f
1000:1000 /data.txt
again"
  for d in native fuse vfs; do
    kd "$d" import -q "$RD_SHARE/busybox.tar" localhost/busybox
    run kd "$d" build --timestamp 0 -t t "$RD_SHARE/ctx"
    [ "$status" -eq 0 ] || { echo "$d: $output"; false; }
    diffs+=("$(kd "$d" inspect --format '{{json .RootFS.Layers}}' t)")
    run kd "$d" run --rm t sh -c 'cat /x /x-link; grep -c ^root: /etc/passwd; tail -1 /etc/passwd; ls /etc/group 2>/dev/null || echo no-group; ls /srv; stat -c "%u:%g %n" /f /data.txt; ls /d'
    [ "$status" -eq 0 ]
    assert_same "$want" "$output"
    # Which filesystem the container's root is: the proof of the driver in use.
    run kd "$d" run --rm t sh -c 'grep " / " /proc/self/mounts | head -1 | cut -d" " -f3'
    [ "$status" -eq 0 ]
    case $d in
      native) assert_same overlay "$output" ;;
      fuse) assert_same fuse.fuse-overlayfs "$output" ;;
      vfs) [[ "$output" != overlay && "$output" != fuse* ]] ;;
    esac
    # save: the layers as written in the archive carry the same diffIDs.
    kd "$d" save -o "save-$d.tar" t
  done
  [ "${diffs[0]}" = "${diffs[1]}" ] || { echo "native ${diffs[0]} fuse ${diffs[1]}"; false; }
  [ "${diffs[0]}" = "${diffs[2]}" ] || { echo "native ${diffs[0]} vfs ${diffs[2]}"; false; }
  local home
  home=$(getent passwd "$RD_U" | cut -d: -f6)
  cmp <(tar -xOf "$home/save-native.tar" manifest.json | jq -c '.[0].Layers') \
      <(tar -xOf "$home/save-vfs.tar" manifest.json | jq -c '.[0].Layers')
  cmp <(tar -xOf "$home/save-native.tar" manifest.json | jq -c '.[0].Layers') \
      <(tar -xOf "$home/save-fuse.tar" manifest.json | jq -c '.[0].Layers')
  # No fuse-overlayfs outlives the commands, and the vfs copies are gone with their containers.
  no_fuse_left
}

# overlayfs in a user namespace has no trusted.* xattrs: mounted without "userxattr" it
# runs without xattrs, and a directory made where a lower one was deleted (opaque) failed
# with EIO. Lower directories here are the image's and a RUN's own earlier layer.
@test "rootless drivers: the kernel overlay makes a deleted lower directory again (opaque, userxattr)" {
  local ctx=$RD_SHARE/ctx-remade
  mkdir -p "$ctx"
  cat > "$ctx/Containerfile" <<'EOF2'
FROM localhost/busybox
RUN mkdir -p /opt/old/deep && echo old > /opt/old/deep/f && echo old > /opt/top
RUN rm -rf /var && mkdir -p /var/new && echo new > /var/new/f && rm -rf /opt && mkdir -p /opt/old && echo new > /opt/old/g
EOF2
  chmod -R a+rX "$ctx"
  kd native import -q "$RD_SHARE/busybox.tar" localhost/busybox
  run kd native build --timestamp 0 -t remade "$ctx"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run kd native run --rm remade sh -c 'find /var /opt | sort; cat /var/new/f /opt/old/g'
  [ "$status" -eq 0 ]
  assert_same "/opt
/opt/old
/opt/old/g
/var
/var/new
/var/new/f
new
new" "$output"
  # In a container as well (its upper dir over the image's layers), twice over one name.
  run kd native run --rm remade sh -c 'rm -rf /opt && mkdir /opt && rmdir /opt && mkdir -p /opt/old/x && ls -a /opt /opt/old'
  [ "$status" -eq 0 ]
  assert_same "/opt:
.
..
old

/opt/old:
.
..
x" "$output"
  # The layers are the ones root builds with trusted.* xattrs.
  kiln import -q "$RD_SHARE/busybox.tar" localhost/busybox >/dev/null
  kiln build -q --timestamp 0 -t remade "$ctx" >/dev/null
  assert_same "$(kiln inspect --format '{{json .RootFS.Layers}}' remade)" \
    "$(kd native inspect --format '{{json .RootFS.Layers}}' remade)"
}

@test "rootless drivers: run -d, commit and export of a stopped container under fuse-overlayfs and vfs" {
  [ -n "$FUSE_PROGRAM" ] || skip "fuse-overlayfs is not installed"
  local d
  for d in fuse vfs; do
    kd "$d" import -q "$RD_SHARE/busybox.tar" localhost/busybox 2>/dev/null || true
    run kd "$d" run -d --name c localhost/busybox sh -c 'echo made > /made; rm /bin/vi; sleep 300'
    [ "$status" -eq 0 ]
    sleep 1
    run kd "$d" stop -t 1 c
    [ "$status" -eq 0 ]
    run kd "$d" diff c
    [ "$status" -eq 0 ]
    [[ "$output" == *"A /made"* && "$output" == *"D /bin/vi"* ]] || { echo "$d: $output"; false; }
    run kd "$d" commit -q c committed
    [ "$status" -eq 0 ]
    run kd "$d" run --rm committed sh -c 'cat /made; ls /bin/vi 2>&1 || true'
    [[ "$output" == "made"*"No such file"* ]] || { echo "$d: $output"; false; }
    kd "$d" rm -f c >/dev/null
  done
  no_fuse_left
}

# The host's address on its default route: reachable from slirp4netns' network, unlike
# the host's loopback (podman's allow_host_loopback=false).
host_address() { ip -4 route get 1.1.1.1 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit } }'; }

@test "rootless network: private is slirp4netns' tap0 and reaches the host; none does not; root unchanged" {
  command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
  command -v python3 >/dev/null || skip "needs python3 for the HTTP server"
  local addr port www
  addr=$(host_address)
  [ -n "$addr" ] || skip "the host has no IPv4 default route"
  www=$RD_SHARE/www
  mkdir -p "$www"
  echo hello-from-host > "$www/hello"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 0.0.0.0 --directory "$www" "$port" >/dev/null 2>&1 &
  HTTP_PID=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null && break; sleep 0.1; done
  kd native import -q "$RD_SHARE/busybox.tar" localhost/busybox 2>/dev/null || true
  run kd native run --rm --network private localhost/busybox sh -c \
    "ls /sys/class/net; ip -4 addr show tap0 | grep -o 'inet [0-9./]*'; cat /etc/resolv.conf; printf 'GET /hello HTTP/1.0\\r\\n\\r\\n' | nc -w 10 $addr $port | tail -1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_same "lo
tap0
inet 10.0.2.100/24
nameserver 10.0.2.3
hello-from-host" "$output"
  # --network none: a loopback only, the host unreachable.
  run kd native run --rm --network none localhost/busybox sh -c "ls /sys/class/net; printf 'GET /hello HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $addr $port | tail -1 | grep hello"
  [ "$status" -ne 0 ]
  [[ "$output" == lo* && "$output" != *hello-from-host* ]]
  # A build's RUN gets the same network.
  mkdir -p "$RD_SHARE/netctx"
  printf 'FROM localhost/busybox\nRUN printf "GET /hello HTTP/1.0\\r\\n\\r\\n" | nc -w 10 %s %s | tail -1 > /fetched\n' "$addr" "$port" > "$RD_SHARE/netctx/Containerfile"
  chmod -R a+rX "$RD_SHARE/netctx"
  run kd native build --network private -t fetched "$RD_SHARE/netctx"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run kd native run --rm fetched cat /fetched
  assert_same hello-from-host "$output"
  # The helpers end with their containers.
  ! pgrep -u "$(id -u "$RD_U")" -x slirp4netns
  # As root, a private network stays a namespace with a loopback only.
  import_busybox >/dev/null
  run kiln run --rm --network private localhost/busybox ls /sys/class/net
  [ "$status" -eq 0 ]
  assert_same lo "$output"
  kill "$HTTP_PID"
  unset HTTP_PID
}
