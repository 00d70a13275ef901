#!/usr/bin/env bats
# inspect / image inspect: podman's JSON, errors.
load helpers

setup() { setup_store; }

@test "inspect prints podman's keys in podman's order, indented by 5" {
  id=$(import_busybox); id=${id#sha256:}
  run kiln inspect busybox
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "[" ]
  [ "${lines[1]}" = "     {" ]
  [ "${lines[2]}" = "          \"Id\": \"$id\"," ]
  keys=$(echo "$output" | jq -c '.[0] | keys_unsorted')
  assert_same '["Id","Digest","RepoTags","RepoDigests","Parent","Comment","Created","Config","Version","Author","Architecture","Os","Size","VirtualSize","GraphDriver","RootFS","Labels","Annotations","ManifestType","User","History","NamesHistory"]' "$keys"
  [ "$(echo "$output" | jq -r '.[0].Comment')" = "imported from tarball" ]
  [ "$(echo "$output" | jq -r '.[0].Created')" = "2023-11-14T22:13:20Z" ]
  [ "$(echo "$output" | jq -r '.[0].RepoTags[0]')" = "localhost/busybox:latest" ]
  [ "$(echo "$output" | jq -r '.[0].ManifestType')" = "application/vnd.oci.image.manifest.v1+json" ]
  [ "$(echo "$output" | jq -c '.[0].Config')" = "{}" ]
}

@test "inspect matches podman's JSON except the storage paths" {
  has_podman || skip "podman not installed"
  kiln import -q --change 'EXPOSE 8080' --change 'CMD ["cat /app/built.txt"]' "$(busybox_tar)" demo:1 >/dev/null
  pm import -q --change 'EXPOSE 8080' --change 'CMD ["cat /app/built.txt"]' "$(busybox_tar)" demo:1 >/dev/null
  strip='del(.[0].GraphDriver)'
  assert_same "$(pm inspect demo:1 | jq "$strip")" "$(kiln inspect demo:1 | jq "$strip")"
}

@test "inspect of an unknown image: [] and the error, exit 125" {
  run --separate-stderr kiln inspect nosuch:img
  [ "$status" -eq 125 ]
  [ "$output" = "[]" ]
  [ "$stderr" = 'Error: inspecting object: no such object: "nosuch:img"' ]
  run --separate-stderr kiln image inspect nosuch:img
  [ "$status" -eq 125 ]
  [ "$stderr" = 'Error: inspecting object: nosuch:img: image not known' ]
}

@test "inspect several images, by name, ID and prefix" {
  id=$(import_busybox); id=${id#sha256:}
  run kiln inspect busybox "$id" "${id:0:6}"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq length)" -eq 3 ]
}
