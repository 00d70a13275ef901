#!/usr/bin/env bats
# image prune, system prune, system reset.
load helpers

setup() { setup_store; }

@test "image prune removes dangling images and prints their IDs" {
  import_busybox >/dev/null
  dangling=$(kiln import -q --change 'ENV X=1' "$(busybox_tar)")
  run kiln image prune -f
  [ "$status" -eq 0 ]
  [ "$output" = "${dangling#sha256:}" ]
  run kiln images -q
  [ "${#lines[@]}" -eq 1 ]
  run kiln image prune -f
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "image prune -a removes every image no container uses" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" two >/dev/null
  run kiln image prune -a -f
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  run kiln images -q
  [ -z "$output" ]
}

@test "without -f it asks; no answer is podman's EOF error, n keeps everything" {
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" >/dev/null
  run kiln image prune < /dev/null
  [ "$status" -eq 125 ]
  [[ "$output" == "WARNING! This command removes all dangling images."* ]]
  [[ "$output" == *"Are you sure you want to continue? [y/N] Error: EOF" ]]
  run bash -c "echo n | '$KILN_BIN' --root '$TEST_ROOT/root' --runroot '$TEST_ROOT/run' image prune"
  [ "$status" -eq 0 ]
  run kiln images -q
  [ "${#lines[@]}" -eq 1 ]
  run bash -c "echo y | '$KILN_BIN' --root '$TEST_ROOT/root' --runroot '$TEST_ROOT/run' image prune -a"
  [ "$status" -eq 0 ]
  [[ "$output" == *"all images without at least one container associated with them."* ]]
  run kiln images -q
  [ -z "$output" ]
}

@test "image prune --filter until=" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" >/dev/null
  kiln import -q --change 'ENV X=2' - < "$(busybox_tar)" >/dev/null   # created now
  run kiln image prune -f --filter until=10m
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]   # only the old dangling one
  run kiln image prune -f --filter bogus=1
  [ "$status" -eq 125 ]
}

@test "system prune and system reset" {
  import_busybox >/dev/null
  dangling=$(kiln import -q --change 'ENV X=1' "$(busybox_tar)")
  run kiln system prune -f
  [ "$status" -eq 0 ]
  [[ "$output" == *"Deleted Images"* ]]
  [[ "$output" == *"${dangling#sha256:}"* ]]
  [[ "$output" == *"Total reclaimed space: "* ]]
  run kiln system reset -f
  [ "$status" -eq 0 ]
  run kiln images -q
  [ -z "$output" ]
  [ -z "$(ls "$TEST_ROOT/root/blobs/sha256")" ]
  import_busybox >/dev/null   # the store works again after a reset
}

@test "system prune removes stopped containers first (podman's 'Deleted Containers'), then the images they held" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" only-used >/dev/null
  kiln run --name s1 only-used true
  kiln run --name s2 busybox sh -c 'echo hello > /f'
  kiln run -d --name live busybox sleep 30 >/dev/null
  ids=$(kiln ps -a --no-trunc --filter status=exited --format '{{.ID}}' | sort)
  used=$(kiln inspect --format '{{.Id}}' only-used)
  run -0 kiln system prune -a -f
  [ "${lines[0]}" = "Deleted Containers" ]
  [ "$(printf '%s\n' "${lines[@]:1:2}")" = "$ids" ]
  [ "${lines[3]}" = "Deleted Images" ]
  [ "${lines[4]}" = "$used" ]  # free once its container went
  [[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+[kMG]?B$ ]]
  run -0 kiln ps -a --format '{{.Names}}'
  [ "$output" = live ]
  run -0 kiln images --format '{{.Repository}}'
  [ "$output" = localhost/busybox ]  # the running container's image stays
  kiln rm -f -t 0 live >/dev/null
}

@test "image prune --filter label= and label!= (podman's filters)" {
  import_busybox >/dev/null
  kiln import -q --change 'LABEL team=a' "$(busybox_tar)" lab-a >/dev/null
  kiln import -q --change 'LABEL team=b' "$(busybox_tar)" lab-b >/dev/null
  kiln import -q --change 'LABEL other=1' "$(busybox_tar)" lab-c >/dev/null
  a=$(kiln inspect --format '{{.Id}}' lab-a)
  run -0 kiln image prune -a -f --filter label=team=a
  [ "$output" = "$a" ]
  run -0 kiln image prune -a -f --filter label=team --filter 'label!=other'
  run -0 kiln images --format '{{.Repository}}'
  [ "$output" = $'localhost/busybox\nlocalhost/lab-c' ] || [ "$output" = $'localhost/lab-c\nlocalhost/busybox' ]
  run -125 kiln image prune -f --filter nosuch=1
  [ "$output" = 'Error: unsupported image filter "nosuch"' ]
}
