#!/usr/bin/env bats
# manifest create/add/annotate/remove/inspect/exists/rm/push, side by side with podman 4.3.1.

load helpers
load registry

setup() {
  setup_store
  export CONTAINERS_REGISTRIES_CONF=$TEST_ROOT/registries.conf
  : > "$CONTAINERS_REGISTRIES_CONF"
  export REGISTRY_AUTH_FILE=$TEST_ROOT/auth.json
  echo '{"auths":{}}' > "$REGISTRY_AUTH_FILE"
  export HOME=$TEST_ROOT/home
  mkdir -p "$HOME"
}

teardown() {
  stop_registry
  cleanup_test_store
}

D0=sha256:0000000000000000000000000000000000000000000000000000000000000000

# Runs the same manifest command in kiln and podman; both must agree on stdout+stderr (with
# the list IDs, which are random, replaced) and the exit code.
same_as_podman() {
  run kiln "$@"
  local k_status=$status k_out=${output//$KLIST_ID/LISTID}
  run pm "$@"
  local p_status=$status p_out=${output//$PLIST_ID/LISTID}
  assert_same "$p_out" "$k_out"
  [ "$k_status" -eq "$p_status" ] || { echo "exit: podman $p_status, kiln $k_status ($*)" >&2; return 1; }
}

@test "manifest create/add/annotate/remove/inspect/exists/rm print what podman prints" {
  has_podman || skip "podman not installed"
  import_busybox >/dev/null
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  KLIST_ID=$(kiln manifest create mylist)
  PLIST_ID=$(pm manifest create mylist)
  [[ $KLIST_ID =~ ^[0-9a-f]{64}$ ]]
  same_as_podman manifest inspect mylist
  same_as_podman manifest create mylist
  same_as_podman manifest add mylist containers-storage:localhost/busybox:latest
  same_as_podman manifest inspect mylist
  local d
  d=$(kiln manifest inspect mylist | sed -n 's/.*"digest": "\(.*\)".*/\1/p')
  same_as_podman manifest add --arch arm64 --variant v8 --os-version 1.0 --annotation a=b mylist containers-storage:localhost/busybox:latest
  same_as_podman manifest inspect mylist
  same_as_podman manifest annotate mylist "$d" --arch s390x --annotation x=y --annotation k=v
  same_as_podman manifest inspect mylist
  same_as_podman manifest annotate mylist sha256:1234
  same_as_podman manifest annotate busybox "$d"
  same_as_podman manifest remove mylist $D0
  same_as_podman manifest exists mylist
  same_as_podman manifest exists nosuchlist
  same_as_podman manifest exists busybox
  # images lists the list as podman does (SIZE differs: podman also counts its instances.json).
  run -0 kiln images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
  assert_same "localhost/mylist:latest ${KLIST_ID:0:12}
localhost/busybox:latest f40be8e8a494" "$(echo "$output" | sort -r)"
  same_as_podman manifest remove mylist "$d"
  same_as_podman manifest inspect mylist
  same_as_podman manifest rm mylist
  same_as_podman manifest rm mylist
  same_as_podman manifest rm busybox
  # The image the list pointed at is untouched.
  run -0 kiln images -q
  [ "$output" = f40be8e8a494 ]
}

@test "manifest create with images, --amend; a failed add leaves the list as it was" {
  import_busybox >/dev/null
  id=$(kiln manifest create app containers-storage:localhost/busybox:latest)
  run -0 kiln manifest inspect app
  [[ $output == *'"architecture": "amd64"'* ]]
  before=$(kiln manifest inspect app)
  run -125 kiln manifest add app containers-storage:localhost/nosuch:latest
  [ "$output" = "Error: localhost/nosuch:latest: image not known" ]
  run -125 kiln manifest add --annotation novalue app containers-storage:localhost/busybox:latest
  [ "$output" = 'Error: no value given for annotation "novalue"' ]
  assert_same "$before" "$(kiln manifest inspect app)"
  run -0 kiln manifest create --amend app
  [ "$output" = "$id" ]
  # rmi removes a list like any image; the instance stays.
  run -0 kiln rmi app
  run -0 kiln images -q
  [ "$output" = f40be8e8a494 ]
}

@test "manifest push --all to a registry: skopeo sees the index, podman pulls the instance" {
  has_registry || skip "docker-registry or python3 missing"
  start_registry
  id=$(import_busybox)
  kiln manifest create app containers-storage:localhost/busybox:latest >/dev/null
  kiln manifest add --arch arm64 --variant v8 app containers-storage:localhost/busybox:latest >/dev/null
  run -0 kiln manifest push --tls-verify=false app docker://$REG/app:1
  assert_same "Getting image list signatures
Copying 1 of 1 images in list
Copying image $(kiln manifest inspect app | sed -n 's/.*"digest": "\(.*\)".*/\1/p') (1/1)
Getting image source signatures
Copying blob $(kiln inspect --format '{{index .RootFS.Layers 0}}' busybox)
Copying config $id
Writing manifest to image destination
Storing signatures
Writing manifest list to image destination
Storing list signatures" "$output"
  run -0 skopeo inspect --tls-verify=false --raw docker://$REG/app:1
  [[ $output == '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json"'* ]]
  [[ $output == *'"platform":{"architecture":"arm64","os":"linux","variant":"v8"}'* ]]
  # Every instance digest in the pushed index is in the registry.
  for d in $(echo "$output" | python3 -c 'import json,sys; [print(m["digest"]) for m in json.load(sys.stdin)["manifests"]]'); do
    skopeo inspect --tls-verify=false --raw docker://$REG/app@$d >/dev/null
  done
  if has_podman; then
    # (podman warns that the config says amd64: the entry was annotated arm64 by hand)
    run -0 pm pull -q --tls-verify=false --arch arm64 $REG/app:1
    [ "${lines[-1]}" = "${id#sha256:}" ]
  fi
  # kiln pulls the list back by platform.
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --tls-verify=false --arch arm64 $REG/app:1
  [ "$output" = "${id#sha256:}" ]
  run -125 kiln pull -q --tls-verify=false --arch ppc64le $REG/app:1
  [ "$output" = "Error: choosing an image from manifest list docker://$REG/app:1: no image found in image index for architecture ppc64le, variant \"\", OS linux" ]
  # --format v2s2 pushes a Docker manifest list.
  kiln manifest create app2 containers-storage:$REG/app:1 >/dev/null
  run -0 kiln manifest push -q --all=false --format v2s2 --tls-verify=false app2 docker://$REG/app:2
  run -0 skopeo inspect --tls-verify=false --raw docker://$REG/app:2
  [[ $output == '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"'* ]]
}

@test "build --manifest adds the built image to the list, creating it; a non-list name fails before building" {
  import_busybox >/dev/null
  ctx=$TEST_ROOT/ctx
  mkdir -p "$ctx"
  printf 'FROM localhost/busybox:latest\nRUN echo hi > /hi\n' > "$ctx/Containerfile"
  kiln build -q --iidfile "$TEST_ROOT/iid" --manifest app "$ctx" >/dev/null
  id=$(cat "$TEST_ROOT/iid")
  run -0 kiln manifest inspect app
  [[ $output == *"\"digest\": \"$(kiln inspect --format '{{.Digest}}' "$id")\""* ]]
  [[ $output == *'"architecture": "amd64"'* ]]
  # A second build adds to the same list.
  printf 'FROM localhost/busybox:latest\nRUN echo two > /two\n' > "$ctx/Containerfile"
  kiln build -q --manifest app "$ctx" >/dev/null
  [ "$(kiln manifest inspect app | grep -c '"digest"')" -eq 2 ]
  before=$(kiln images -a -q | sort)
  run -125 kiln build -q --manifest busybox "$ctx"
  [ "$output" = "Error: localhost/busybox:latest: image is not a manifest list" ]
  assert_same "$before" "$(kiln images -a -q | sort)"
}
