#!/usr/bin/env bats
# history and image tree.
load helpers

setup() { setup_store; }

@test "history table" {
  id=$(import_busybox); id=${id#sha256:}
  run kiln history busybox
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "ID            CREATED      CREATED BY                                     SIZE        COMMENT" ]
  [[ "${lines[1]}" =~ ^${id:0:12}\ \ [0-9]+\ years\ ago\ \ /bin/sh\ -c\ \#\(nop\)\ ADD\ file:[0-9a-f]{15}\.\.\.\ \ 2\.13\ MB\ +imported\ from\ tarball$ ]]
}

@test "history -q, --no-trunc, -H=false" {
  id=$(import_busybox); id=${id#sha256:}
  run kiln history -q busybox
  [ "$output" = "${id:0:12}" ]
  run kiln history --no-trunc busybox
  [[ "${lines[1]}" == "$id "* ]]
  [[ "${lines[1]}" == *" in /  "* ]]
  run kiln history -H=false busybox
  [[ "${lines[1]}" == *"2023-11-14T22:13:20Z"* ]]
}

@test "history matches podman" {
  has_podman || skip "podman not installed"
  kiln import -q "$(busybox_tar)" busybox >/dev/null; pm import -q "$(busybox_tar)" busybox >/dev/null
  assert_same "$(pm history busybox)" "$(kiln history busybox)"
  assert_same "$(pm history --no-trunc busybox)" "$(kiln history --no-trunc busybox)"
  assert_same "$(pm history -H=false busybox)" "$(kiln history -H=false busybox)"
}

@test "image tree and images --tree" {
  id=$(import_busybox); id=${id#sha256:}
  kiln tag busybox base:1
  run kiln image tree busybox
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Image ID: ${id:0:12}" ]
  [ "${lines[1]}" = "Tags:     [localhost/busybox:latest localhost/base:1]" ]
  [ "${lines[2]}" = "Size:     2.131MB" ]
  [ "${lines[3]}" = "Image Layers" ]
  [[ "${lines[4]}" =~ ^└──\ ID:\ [0-9a-f]{12}\ Size:\ \ 2.13MB\ Top\ Layer\ of:\ \[localhost/busybox:latest\ localhost/base:1\]$ ]]
  run kiln images --tree busybox
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Image ID: ${id:0:12}" ]
  run kiln image tree nosuch
  [ "$status" -eq 125 ]
}

@test "image tree matches podman" {
  has_podman || skip "podman not installed"
  kiln import -q "$(busybox_tar)" busybox >/dev/null; pm import -q "$(busybox_tar)" busybox >/dev/null
  assert_same "$(pm image tree busybox)" "$(kiln image tree busybox)"
}
