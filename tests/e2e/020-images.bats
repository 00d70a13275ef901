#!/usr/bin/env bats
# kiln images: the table, -q, --no-trunc, --digests, --noheading, filters, sort, NAME.
load helpers

setup() { setup_store; }

@test "empty store prints only the header" {
  run kiln images
  [ "$status" -eq 0 ]
  assert_same "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE" "$output"
}

@test "the table matches podman's layout" {
  id=$(import_busybox)
  kiln tag busybox quay.io/example/demo:v2
  run kiln images
  [ "$status" -eq 0 ]
  short=${id:7:12}
  [[ "${lines[0]}" =~ ^REPOSITORY\ {12}TAG\ {9}IMAGE\ ID\ {6}CREATED\ +SIZE$ ]]
  [[ "${lines[1]}" =~ ^localhost/busybox\ +latest\ +$short\ +[0-9]+\ years\ ago\ +2\.13\ MB$ ]]
  [[ "${lines[2]}" =~ ^quay.io/example/demo\ +v2\ +$short ]]
}

@test "same table as podman for the same images" {
  has_podman || skip "podman not installed"
  tar=$(busybox_tar)
  kiln import -q "$tar" busybox >/dev/null; pm import -q "$tar" busybox >/dev/null
  kiln tag busybox web:1 quay.io/x/y:2; pm tag busybox web:1 quay.io/x/y:2
  assert_same "$(pm images)" "$(kiln images)"
  assert_same "$(pm images -q)" "$(kiln images -q)"
  assert_same "$(pm images --no-trunc)" "$(kiln images --no-trunc)"
  assert_same "$(pm images --digests)" "$(kiln images --digests)"
  assert_same "$(pm images --noheading)" "$(kiln images --noheading)"
}

@test "-q prints each image once" {
  import_busybox >/dev/null
  kiln tag busybox a b c
  run kiln images -q
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" =~ ^[0-9a-f]{12}$ ]]
  run kiln images -q --no-trunc
  [[ "${lines[0]}" =~ ^sha256:[0-9a-f]{64}$ ]]
}

@test "images NAME lists the matching names, by short or full name" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" myapp:1.0 >/dev/null
  kiln tag myapp:1.0 myapp:latest
  run kiln images --format '{{.Repository}}:{{.Tag}}' myapp
  assert_same $'localhost/myapp:1.0\nlocalhost/myapp:latest' "$(echo "$output" | sort)"
  run kiln images --noheading localhost/myapp:1.0
  [ "${#lines[@]}" -eq 1 ]
  run kiln images --noheading nosuch
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "filters: dangling, label, reference, before/since" {
  import_busybox >/dev/null
  kiln import -q --change 'LABEL tier=web' "$(busybox_tar)" labelled >/dev/null
  kiln import -q --change 'ENV X=2' "$(busybox_tar)" >/dev/null   # no name: dangling
  run kiln images --noheading --filter dangling=true
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" == "<none> "* ]]
  run kiln images --noheading --filter label=tier=web
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" == localhost/labelled* ]]
  run kiln images --noheading --filter label=tier
  [ "${#lines[@]}" -eq 1 ]
  run kiln images --noheading --filter 'reference=*busy*'
  [ "${#lines[@]}" -eq 1 ]
  run kiln images --filter bogus=1
  [ "$status" -eq 125 ]
  [[ "$output" == Error:* ]]
}

@test "filters: before, since and after (podman's other word for since)" {
  import_busybox >/dev/null
  # import dates an image by the tarball's mtime
  local newer_tar=$BATS_TEST_TMPDIR/newer.tar
  cp "$(busybox_tar)" "$newer_tar"
  touch -d @1700000100 "$newer_tar"
  kiln import -q --change 'ENV X=1' "$newer_tar" newer >/dev/null
  for f in since after; do
    run -0 kiln images --noheading --format '{{.Repository}}' --filter $f=busybox
    [ "$output" = localhost/newer ]
  done
  run -0 kiln images --noheading --format '{{.Repository}}' --filter before=newer
  [ "$output" = localhost/busybox ]
  run -0 kiln images --noheading --filter after=newer
  [ -z "$output" ]
  run -125 kiln images --filter after=nosuch
  [ "$output" = 'Error: could not find local image for filter filter "after"="nosuch": nosuch: image not known' ]
  if has_podman; then
    pm import -q "$(busybox_tar)" busybox >/dev/null
    pm import -q --change 'ENV X=1' "$newer_tar" newer >/dev/null
    run -0 pm images --noheading --format '{{.Repository}}' --filter after=busybox
    [ "$output" = localhost/newer ]
    run -125 pm images --filter after=nosuch
    [ "$output" = 'Error: could not find local image for filter filter "after"="nosuch": nosuch: image not known' ]
  fi
}

@test "--sort and its validation" {
  import_busybox >/dev/null
  kiln tag busybox zzz aaa
  run kiln images --noheading --sort repository --format '{{.Repository}}'
  assert_same $'localhost/aaa\nlocalhost/busybox\nlocalhost/zzz' "$output"
  run kiln images --sort nonsense
  [ "$status" -eq 125 ]
}

@test "--format json lists images with podman's keys" {
  import_busybox >/dev/null
  run kiln images --format json
  [ "$status" -eq 0 ]
  keys=$(echo "$output" | jq -c '.[0] | keys_unsorted')
  assert_same '["Id","ParentId","RepoTags","RepoDigests","Size","SharedSize","VirtualSize","Labels","Containers","Names","Digest","History","Created","CreatedAt"]' "$keys"
}

@test "image exists" {
  import_busybox >/dev/null
  run kiln image exists busybox
  [ "$status" -eq 0 ]
  run kiln image exists nosuch
  [ "$status" -eq 1 ]
  [ -z "$output" ]
}

@test "image mount, image umount: a read-only view of the image, counted as podman counts mounts" {
  import_busybox >/dev/null
  id=$(kiln image inspect --format '{{.ID}}' busybox)
  run -0 kiln image mount
  [ -z "$output" ]
  run -0 kiln image mount busybox
  path=$output
  [ -x "$path/bin/busybox" ]
  run -1 touch "$path/new"  # read-only
  run -0 kiln image mount -a
  [[ "$output" =~ ^localhost/busybox:latest\ +$path$ ]]
  run -0 kiln image mount
  [[ "$output" =~ ^localhost/busybox:latest\ +$path$ ]]
  run -0 kiln image umount busybox  # mounted twice: one left
  [ "$output" = "$id" ]
  [ -x "$path/bin/busybox" ]
  run -0 kiln image mount busybox
  run -0 kiln image umount -f busybox
  [ "$output" = "$id" ]
  [ ! -e "$path/bin/busybox" ]
  run -0 kiln image umount busybox
  [ -z "$output" ]
  run -125 kiln image umount nosuch
  [ "$output" = "Error: nosuch: image not known" ]
  run -125 kiln image umount
  [ "$output" = "Error: image name or ID must be specified" ]
}
