#!/usr/bin/env bats
# image diff and diff: kiln and podman 4.3.1 side by side on the same Containerfiles.
load helpers

setup() {
  setup_store
  CTX=$BATS_TEST_TMPDIR/ctx
  mkdir -p "$CTX"
  # Adds, changes (content, mode) and deletes files and directories over two steps. The
  # sleep keeps the steps in different seconds: podman's layers from a build hold mtimes in
  # whole seconds, so a directory both steps touch within one second looks unchanged to it
  # (docs/compat.md).
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox
RUN mkdir -p /data/sub && echo a > /data/a && echo b > /data/sub/b && echo x > /etc/motd && rm /bin/vi
RUN sleep 1 && rm -rf /data/sub && echo c >> /data/a && echo n > /etc/passwd2 && chmod 700 /tmp && rm /etc/group
CF
  head -2 "$CTX/Containerfile" > "$CTX/Containerfile.one"
}

# Builds d1 (both steps) and d0 (the first step: d1's parent layer) in kiln and podman.
build_both() {
  import_busybox >/dev/null
  kiln build -q -t d1 "$CTX" >/dev/null
  kiln build -q -t d0 -f "$CTX/Containerfile.one" "$CTX" >/dev/null
  pm import -q "$(busybox_tar)" localhost/busybox >/dev/null
  pm build -q -t d1 "$CTX" >/dev/null
  pm build -q -t d0 -f "$CTX/Containerfile.one" "$CTX" >/dev/null
}

@test "image diff: an image against its parent layer, as podman" {
  has_podman || skip "podman not installed"
  build_both
  run -0 kiln image diff d1
  assert_same "$(pm image diff d1)" "$output"
  [ "$output" = "$(printf 'C /data\nC /data/a\nD /data/sub\nC /etc\nD /etc/group\nA /etc/passwd2\nC /tmp')" ]
  run -0 kiln image diff --format json d1
  assert_same "$(pm image diff --format json d1)" "$output"
  run -0 kiln diff d0
  assert_same "$(pm diff d0)" "$output"
  # A base image: everything is added.
  run -0 kiln diff localhost/busybox
  assert_same "$(pm diff localhost/busybox)" "$output"
  [ "${lines[0]}" = "A /bin" ]
}

@test "image diff: two images, as podman" {
  has_podman || skip "podman not installed"
  build_both
  # The second is the first's parent: the top layer's changes, in podman's order.
  run -0 kiln image diff d1 d0
  assert_same "$(pm image diff d1 d0)" "$output"
  assert_same "$(kiln image diff d1)" "$output"
  # Unrelated stacks: podman's order is random (Go map order), so compare sorted.
  run -0 kiln image diff d1 localhost/busybox
  assert_same "$(pm image diff d1 localhost/busybox | sort)" "$(echo "$output" | sort)"
  [[ "$output" == *"D /bin/vi"* ]]
  [[ "$output" == *"A /data/a"* ]]
  run -0 kiln image diff localhost/busybox d1
  assert_same "$(pm image diff localhost/busybox d1 | sort)" "$(echo "$output" | sort)"
  run -0 kiln image diff --format json localhost/busybox d1
  [ "$(echo "$output" | jq -c '.added')" = '["/bin/vi","/etc/group"]' ]
  run -0 kiln image diff --format json d1 d1
  assert_same "$(pm image diff --format json d1 d1)" "$output"
  # A layer as the second argument: kiln's layer ID is the OCI chain ID (of d0's top layer).
  local chain=""
  for diff in $(kiln inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' d0); do
    if [ -z "$chain" ]; then chain=$diff; else chain=sha256:$(printf '%s %s' "$chain" "$diff" | sha256sum | cut -d' ' -f1); fi
  done
  run -0 kiln image diff d1 "${chain#sha256:}"
  assert_same "$(kiln image diff d1 d0)" "$output"
  run -0 kiln diff d1 "${chain#sha256:}"
  assert_same "$(kiln image diff d1 d0)" "$output"
}

@test "diff: a container against its image, as podman" {
  has_podman || skip "podman not installed"
  import_busybox >/dev/null
  pm import -q "$(busybox_tar)" localhost/busybox >/dev/null
  kiln run --name c1 localhost/busybox sh -c 'echo hi > /root/x; rm /bin/ls'
  pm run --name c1 localhost/busybox sh -c 'echo hi > /root/x; rm /bin/ls'
  run -0 kiln diff c1
  assert_same "$(pm diff c1)" "$output"
  [ "$output" = "$(printf 'C /bin\nD /bin/ls\nC /etc\nC /root\nA /root/x')" ]
  run -0 kiln diff --format json c1
  assert_same "$(pm diff --format json c1)" "$output"
}

@test "image diff: errors as podman's" {
  import_busybox >/dev/null
  run -125 kiln image diff nosuch
  [ "$output" = "Error: nosuch not found: nosuch: image not known" ]
  run -125 kiln image diff localhost/busybox nosuch
  [ "$output" = "Error: nosuch not found: nosuch: image not known" ]
  run -125 kiln diff nosuch
  [ "$output" = "Error: nosuch not found: layer not known" ]
  run -125 kiln image diff
  [ "$output" = "Error: accepts between 1 and 2 arg(s), received 0" ]
  run -125 kiln image diff a b c
  [ "$output" = "Error: accepts between 1 and 2 arg(s), received 3" ]
  run -125 kiln image diff --format yaml localhost/busybox
  [ "$output" = "Error: only supported value for '--format' is 'json'" ]
}
