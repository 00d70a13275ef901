#!/usr/bin/env bats
# rmi / image rm: untag vs delete, IDs and prefixes, errors and exit codes.
load helpers

setup() { setup_store; }

@test "rmi of one of several names only untags" {
  import_busybox >/dev/null
  kiln tag busybox quay.io/example/demo:v2
  run --separate-stderr kiln rmi quay.io/example/demo:v2
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: quay.io/example/demo:v2" ]
  run kiln image exists busybox
  [ "$status" -eq 0 ]
}

@test "rmi of the last name deletes the image and its files" {
  id=$(import_busybox)
  run kiln rmi busybox
  [ "$status" -eq 0 ]
  assert_same "Untagged: localhost/busybox:latest
Deleted: ${id#sha256:}" "$output"
  run kiln images -q
  [ -z "$output" ]
  [ -z "$(ls "$TEST_ROOT/root/blobs/sha256")" ]
  [ -z "$(ls "$TEST_ROOT/root/snapshots")" ]
}

@test "rmi by full ID, sha256: ID and unique prefix" {
  for form in full sha prefix; do
    id=$(import_busybox); id=${id#sha256:}
    case $form in full) arg=$id ;; sha) arg=sha256:$id ;; prefix) arg=${id:0:5} ;; esac
    run kiln rmi "$arg"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Deleted: $id"* ]]
  done
}

@test "rmi by ID of an image with two names needs -f" {
  id=$(import_busybox); id=${id#sha256:}
  kiln tag busybox other
  run kiln rmi "$id"
  [ "$status" -eq 125 ]
  [ "$output" = "Error: unable to delete image \"$id\" by ID with more than one tag ([localhost/busybox:latest localhost/other:latest]): please force removal" ]
  run kiln rmi -f "$id"
  [ "$status" -eq 0 ]
  assert_same "Untagged: localhost/busybox:latest
Untagged: localhost/other:latest
Deleted: $id" "$output"
}

@test "unknown images: exit 1, silent with -f or -i, several errors listed" {
  run kiln rmi nosuch:img
  [ "$status" -eq 1 ]
  [ "$output" = "Error: nosuch:img: image not known" ]
  run kiln rmi -f nosuch:img
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run kiln rmi -i nosuch:img
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run kiln rmi nosuch nosuch2
  [ "$status" -eq 1 ]   # podman: the last error decides
  assert_same $'Error: 2 errors occurred:\n\t* nosuch: image not known\n\t* nosuch2: image not known' "$output"
  run kiln rmi
  [ "$status" -eq 125 ]
  [ "$output" = "Error: image name or ID must be specified" ]
}

@test "an image used by a container: exit 2 unless -f" {
  id=$(import_busybox); id=${id#sha256:}
  # A container row as the runtime will create it (the run command comes with containers).
  sqlite3 "$TEST_ROOT/root/kiln.db" \
    "INSERT INTO containers(id, name, image_id, created) VALUES ('c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00', 'ctr', '$id', 0)" \
    2>/dev/null || skip "sqlite3 CLI not installed"
  run kiln rmi busybox
  [ "$status" -eq 2 ]
  [ "$output" = "Error: image used by c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00: image is in use by a container: consider listing external containers and force-removing image" ]
  run kiln image exists busybox
  [ "$status" -eq 0 ]
}

@test "rmi -a removes every image" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" two >/dev/null
  kiln tag two three
  run kiln rmi -a
  [ "$status" -eq 0 ]
  run kiln images -q
  [ -z "$output" ]
}

@test "rmi of a parent image is refused, as the tutorial says (podman drops it; see compat.md)" {
  import_busybox >/dev/null
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nRUN echo 1 > /a\n' > "$TEST_ROOT/ctx/Containerfile"
  kiln build -q -t child "$TEST_ROOT/ctx" >/dev/null
  before=$(kiln images -a --format '{{.ID}} {{.Repository}}')
  run -2 kiln rmi localhost/busybox
  [ "$output" = "Error: image has dependent child images" ]
  run -2 kiln rmi -f localhost/busybox
  [ "$(kiln images -a --format '{{.ID}} {{.Repository}}')" = "$before" ]
  run -0 kiln run --rm child cat /a
}

@test "rmi -a -f after a build removes its intermediate images too (children before parents)" {
  import_busybox >/dev/null
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nRUN echo 1 > /a\nRUN echo 2 > /b\nENV A=b\n' > "$TEST_ROOT/ctx/Containerfile"
  kiln build -q -t built "$TEST_ROOT/ctx" >/dev/null
  [ "$(kiln images -a -q | wc -l)" -gt 2 ]
  run -0 kiln rmi -a -f
  [[ "$output" != *"dependent child"* ]]
  run -0 kiln images -a -q
  [ -z "$output" ]
}

@test "rmi \$(images -q NAME), as the tutorial does" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" myapp:1 >/dev/null
  kiln import -q --change 'ENV X=2' "$(busybox_tar)" myapp:2 >/dev/null
  run kiln rmi $(kiln images myapp -q)
  [ "$status" -eq 0 ]
  run kiln images -q
  [ "${#lines[@]}" -eq 1 ]
}

@test "rmi outputs and codes match podman" {
  has_podman || skip "podman not installed"
  for k in kiln pm; do
    $k import -q "$(busybox_tar)" busybox >/dev/null
    $k tag busybox quay.io/example/demo:v2 other
  done
  for args in "quay.io/example/demo:v2" "nosuch:img" "-f nosuch" "nosuch nosuch2" "other" "busybox"; do
    run kiln rmi $args; k="$status:$output"
    run pm rmi $args; p="$status:$output"
    assert_same "$p" "$k"
  done
}
