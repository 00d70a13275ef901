#!/usr/bin/env bats
# run/create --mount type=image (and type=bind), the image counted as mounted while the
# container exists, container inspect's .Mounts, rmi of a mounted image: as podman 4.3.1,
# side by side with it where outputs compare.
load helpers

setup() {
  setup_store
  IID=$(import_busybox)
  IID=${IID#sha256:}
}

@test "--mount type=image: read-only by default, rw/readwrite writable, writes gone with the run" {
  run kiln run --rm --mount type=image,src=localhost/busybox,dst=/image-mount localhost/busybox \
    cmp /bin/busybox /image-mount/bin/busybox
  [ "$status" -eq 0 ]
  run kiln run --rm --mount type=image,src=localhost/busybox,dst=/image-mount localhost/busybox touch /image-mount/x
  [ "$status" -eq 1 ]
  [ "$output" = "touch: /image-mount/x: Read-only file system" ]
  kiln run --rm --mount type=image,src=localhost/busybox,dst=/m,rw=true localhost/busybox touch /m/x
  kiln run --name keep --mount type=image,src=$IID,dst=/m,readwrite=true localhost/busybox sh -c 'echo hi > /m/x'
  # A restart starts from the image again; the image itself never changed.
  run kiln start -a keep
  [ "$status" -eq 0 ]
  run kiln run --rm --mount type=image,src=localhost/busybox,dst=/m localhost/busybox ls /m/x
  [ "$status" -ne 0 ]
  kiln rm keep
}

@test "--mount type=image under runc" {
  command -v runc >/dev/null || skip "runc is not installed"
  run kiln run --rm --isolation oci --mount type=image,src=localhost/busybox,dst=/m localhost/busybox touch /m/x
  [ "$status" -eq 1 ]
  [[ "$output" == *"Read-only file system"* ]]
  run kiln run --rm --isolation oci --mount type=image,src=localhost/busybox,dst=/m,rw localhost/busybox sh -c 'touch /m/x && echo ok'
  [ "$status" -eq 0 ]
  [ "$output" = ok ]
}

@test "an image mount counts as a mount of the image from start to rm (podman's test 060)" {
  kiln run --rm --mount type=image,src=localhost/busybox,dst=/m localhost/busybox true
  run kiln image umount localhost/busybox
  [ "$output" = "" ]
  kiln image mount localhost/busybox >/dev/null
  kiln run --rm --mount type=image,src=localhost/busybox,dst=/m localhost/busybox true
  run kiln image umount localhost/busybox
  [ "$output" = "$IID" ]
  run kiln image umount localhost/busybox
  [ "$output" = "" ]
  cid=$(kiln run -d --mount type=image,src=$IID,dst=/m,readwrite=true localhost/busybox sleep 1000)
  run kiln image mount
  [[ "$output" == "localhost/busybox:latest "* ]]
  run kiln image umount localhost/busybox
  [ "$output" = "$IID" ]
  run kiln image umount localhost/busybox
  [ "$output" = "" ]
  # The container's own overlay is untouched.
  kiln exec $cid cmp /bin/busybox /m/bin/busybox
  kiln rm -t 0 -f $cid
  run kiln image mount
  [ "$output" = "" ]
}

@test "container inspect .Mounts: the image mount as podman shows it" {
  cid=$(kiln create --mount type=image,src=localhost/busybox,dst=/image-mount,rw=true -v /tmp:/hosttmp:ro localhost/busybox true)
  run kiln inspect --format '{{(index .Mounts 0).Type}} {{(index .Mounts 0).Source}} {{(index .Mounts 0).Destination}} {{(index .Mounts 0).RW}}' $cid
  [ "$output" = "image localhost/busybox /image-mount true" ]
  run kiln container inspect --format '{{(index .Mounts 1).Type}} {{(index .Mounts 1).Source}} {{(index .Mounts 1).RW}}' $cid
  [ "$output" = "bind /tmp false" ]
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  pcid=$(pm create --mount type=image,src=localhost/busybox,dst=/image-mount,rw=true -v /tmp:/hosttmp:ro localhost/busybox true)
  # The same keys and values (podman's created container, before it ever ran).
  diff <(kiln container inspect $cid | jq '.[0].Mounts') <(pm container inspect $pcid | jq '.[0].Mounts')
  diff <(kiln inspect $cid | jq -c '.[0] | {Path, Args, ImageName, Name: (.Name|length > 0), State: .State.Status}') \
       <(pm inspect $pcid | jq -c '.[0] | {Path, Args, ImageName, Name: (.Name|length > 0), State: .State.Status}')
  pm rm -f $pcid >/dev/null
  # A volume's entry: the same keys and values but the store path.
  vcid=$(kiln create -v insp-vol:/data localhost/busybox true)
  pvcid=$(pm create -v insp-vol:/data localhost/busybox true)
  diff <(kiln inspect $vcid | jq -c '.[0].Mounts[] | del(.Source)') <(pm inspect $pvcid | jq -c '.[0].Mounts[] | del(.Source)')
  pm rm -f -v $pvcid >/dev/null
  pm volume rm insp-vol >/dev/null
  run kiln container inspect nosuch
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error: no such container nosuch"* ]]
}

@test "rmi of an image a container mounts: in use (exit 2); rmi -f removes the container" {
  kiln tag localhost/busybox localhost/other
  kiln rmi localhost/other   # another name of it: only untagged
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM localhost/busybox\nRUN touch /marker\n' > "$TEST_ROOT/ctx/Containerfile"
  kiln build -q -t localhost/mounted "$TEST_ROOT/ctx" >/dev/null
  cid=$(kiln create --mount type=image,src=localhost/mounted,dst=/m localhost/busybox true)
  run kiln rmi localhost/mounted
  [ "$status" -eq 2 ]
  [ "$output" = "Error: image used by $cid: image is in use by a container: consider listing external containers and force-removing image" ]
  run kiln image prune -a -f
  kiln image exists localhost/mounted
  kiln rmi -f localhost/mounted
  run kiln container exists $cid
  [ "$status" -eq 1 ]
}

@test "--mount errors: podman's texts and exit codes, store unchanged" {
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  for m in "type=image,dst=/m" "type=image,src=localhost/busybox" "type=image,src=localhost/busybox,dst=/m,rw=maybe" \
           "type=image,src=localhost/busybox,dst=/m,foo=1" "type=bogus,src=/x,dst=/m" "src=/tmp,dst=/m" \
           "type=bind,src=/nonexistent,dst=/m" "type=bind,src=/tmp,dst=m" "type=image,src=localhost/busybox,dst=m" \
           "type=bind,src=/tmp" "type=bind,src=/tmp,dst=/m,ro=maybe"; do
    run kiln run --rm --mount "$m" localhost/busybox true
    k_status=$status k_output=$output
    run pm run --rm --mount "$m" localhost/busybox true
    echo "$m: kiln $k_status $k_output / podman $status $output"
    [ "$k_status" -eq "$status" ]
    [ "$k_output" = "$output" ]
  done
  # An unknown image: podman fails at start (126, after creating the container); kiln at create.
  run kiln run --rm --mount type=image,src=nosuch,dst=/m localhost/busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == 'Error: creating image volume "nosuch":"/m": '*"nosuch"* ]]
  run kiln ps -a -q
  [ "$output" = "" ]
}
