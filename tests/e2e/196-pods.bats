#!/usr/bin/env bats
# Pods (podman's): pod create/ps/inspect/exists/start/stop/rm, the infra container from the
# pause image (catatonit, built in a temporary context), members sharing its uts, ipc (and
# net) namespaces under both isolations, create --pod [new:]NAME, ps --pod/--filter pod=,
# and rmi of images that pods use.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  PAUSE=localhost/podman-pause:$(kiln version --format '{{.Server.Version}}-{{.Server.Built}}')
}

teardown() {
  kiln pod rm -t 0 --all --force --ignore >/dev/null 2>&1 || true
  cleanup_test_store
}

@test "pod create builds the pause image and its infra container; ps, inspect, exists, rm" {
  run kiln pod create --name p1 --label team=x
  [ "$status" -eq 0 ]
  pod_id=$output
  [[ "$pod_id" =~ ^[0-9a-f]{64}$ ]]
  [ "$PAUSE" = "localhost/podman-pause:0.1.0-0" ]
  run kiln inspect --format '{{.Config.Entrypoint}}' "$PAUSE"
  [ "$output" = "[/catatonit -P]" ]
  infra=$(kiln pod inspect p1 --format '{{.InfraContainerID}}')
  run kiln ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.IsInfra}} {{.Pod}} {{.PodName}}'
  [ "$output" = "$infra ${pod_id:0:12}-infra true $pod_id p1" ]
  run kiln pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}} {{.InfraID}} {{.Labels}}'
  [ "$output" = "p1 Created 1 ${infra:0:12} map[team:x]" ]
  run kiln pod ps --noheading -q
  [ "$output" = "${pod_id:0:12}" ]
  run kiln pod ps --filter name=nomatch --noheading
  [ "$output" = "" ]
  run kiln pod ps --filter label=team=x -q --no-trunc
  [ "$output" = "$pod_id" ]
  run kiln pod inspect p1 --format '{{.Name}} {{.State}} {{.NumContainers}} {{.SharedNamespaces}}'
  [ "$output" = "p1 Created 1 [uts ipc net]" ]
  kiln pod exists p1
  run kiln pod exists nope
  [ "$status" -eq 1 ]
  run kiln pod create --name p1
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: adding pod to state: name "p1" is in use: pod already exists' ]
  run kiln rm "$infra"
  [ "$status" -eq 125 ]
  [ "$output" = "Error: container $infra is the infra container of pod $pod_id and cannot be removed without removing the pod" ]
  run kiln pod rm p1
  [ "$status" -eq 0 ]
  [ "$output" = "$pod_id" ]
  run kiln ps -a -q
  [ "$output" = "" ]
  run kiln pod rm p1
  [ "$status" -eq 1 ]
  [ "$output" = "Error: no pod with name or ID p1 found: no such pod" ]
  kiln pod rm --ignore p1
  # The pause image stays for the next pod, and is not rebuilt.
  id1=$(kiln inspect --format '{{.ID}}' "$PAUSE")
  kiln pod create --infra=false --name bare >/dev/null
  run kiln pod inspect bare --format '{{.CreateInfra}} {{.NumContainers}}'
  [ "$output" = "false 0" ]
  kiln pod create >/dev/null
  [ "$(kiln inspect --format '{{.ID}}' "$PAUSE")" = "$id1" ]
}

@test "the pause image is built in a context of its own, not the working directory" {
  mkdir -p "$TEST_ROOT/cwd"
  echo '*' > "$TEST_ROOT/cwd/.dockerignore"
  echo 'FROM scratch' > "$TEST_ROOT/cwd/Containerfile"
  cd "$TEST_ROOT/cwd"
  run kiln pod create
  [ "$status" -eq 0 ]
  kiln pod rm "$output" >/dev/null
  run kiln rmi "$PAUSE"
  [ "$status" -eq 0 ]
  [[ "$output" == "Untagged: $PAUSE"* ]]
}

# Namespaces of a member as the container sees them (uts, ipc, pid), and its hostname.
member_view() {
  kiln run --rm "$@" localhost/busybox sh -c 'hostname; for n in uts ipc pid; do ls -l /proc/self/ns/$n | sed "s/.*-> //"; done'
}

check_sharing() {
  local iso=$1
  kiln pod create --name "web-$iso" >/dev/null
  kiln run -d --isolation "$iso" --pod "web-$iso" --name "a-$iso" localhost/busybox sleep 1000 >/dev/null
  run kiln pod ps --filter name="web-$iso" --format '{{.Status}}'
  [ "$output" = "Running" ]
  a=$(kiln exec "a-$iso" sh -c 'hostname; for n in uts ipc pid; do ls -l /proc/self/ns/$n | sed "s/.*-> //"; done')
  b=$(member_view --isolation "$iso" --pod "web-$iso")
  host_uts=$(readlink /proc/self/ns/uts)
  host_ipc=$(readlink /proc/self/ns/ipc)
  mapfile -t A <<< "$a"
  mapfile -t B <<< "$b"
  [ "${A[0]}" = "web-$iso" ] && [ "${B[0]}" = "web-$iso" ]       # the pod's hostname
  [ "${A[1]}" = "${B[1]}" ] && [ "${A[1]}" != "$host_uts" ]      # one uts namespace, not the host's
  [ "${A[2]}" = "${B[2]}" ] && [ "${A[2]}" != "$host_ipc" ]      # one ipc namespace
  [ "${A[3]}" != "${B[3]}" ]                                      # each its own pid namespace
  # Outside a pod, a container has namespaces of its own.
  c=$(member_view --isolation "$iso")
  mapfile -t C <<< "$c"
  [ "${C[1]}" != "${A[1]}" ] && [ "${C[2]}" != "${A[2]}" ]
}

@test "members join the infra container's uts and ipc namespaces (chroot isolation)" {
  check_sharing chroot
}

@test "members join the infra container's uts and ipc namespaces (runc)" {
  command -v runc >/dev/null || skip "runc is not installed"
  check_sharing oci
}

@test "members share the infra container's private network" {
  kiln pod create --name netpod --network none >/dev/null
  kiln run -d --pod netpod --name n1 localhost/busybox sleep 1000 >/dev/null
  a=$(kiln exec n1 sh -c 'ls -l /proc/self/ns/net | sed "s/.*-> //"')
  b=$(kiln run --rm --pod netpod localhost/busybox sh -c 'ls -l /proc/self/ns/net | sed "s/.*-> //"')
  [ "$a" = "$b" ]
  [ "$a" != "$(readlink /proc/self/ns/net)" ]
}

@test "pod start, stop and rm of a running pod" {
  kiln pod create --name sp >/dev/null
  kiln create --pod sp --name m1 localhost/busybox sleep 1000 >/dev/null
  run kiln pod ps --format '{{.Status}} {{.NumberOfContainers}}'
  [ "$output" = "Created 2" ]
  pod_id=$(kiln pod inspect sp --format '{{.Id}}')
  run kiln pod start sp
  [ "$output" = "$pod_id" ]
  run kiln ps --pod --format '{{.Names}} {{.PodName}}'   # running ones only
  [[ "$output" == *"m1 sp"* ]] && [[ "$output" == *"-infra sp"* ]]
  run kiln pod rm sp
  [ "$status" -eq 125 ]
  [[ "$output" == "Error: removing container "*" from pod $pod_id: cannot remove container "*" as it is running - running or paused containers cannot be removed without force: container state improper" ]]
  run kiln pod stop -t 0 sp
  [ "$output" = "$pod_id" ]
  run kiln pod ps --format '{{.Status}}'
  [ "$output" = "Exited" ]
  kiln pod start sp >/dev/null
  run kiln pod rm -f -t 0 sp
  [ "$status" -eq 0 ]
  run kiln ps -a -q
  [ "$output" = "" ]
}

@test "ps shows POD columns only with --pod, and filters by pod" {
  kiln create --pod new:fp --name inpod localhost/busybox true >/dev/null
  kiln create --name outside localhost/busybox true >/dev/null
  run kiln ps -a
  [[ "${lines[0]}" != *"POD ID"* ]]
  run kiln ps -a --pod
  [[ "${lines[0]}" == *"NAMES"*"POD ID"*"PODNAME" ]]
  run kiln ps -a --filter pod=fp --format '{{.Names}}'
  [ "${#lines[@]}" -eq 2 ]
  [[ "$output" == *inpod* ]] && [[ "$output" != *outside* ]]
  run kiln create --pod nosuchpod localhost/busybox true
  [ "$status" -eq 125 ]
  [ "$output" = "Error: no pod with name or ID nosuchpod found: no such pod" ]
}

@test "rmi -a refuses images of pods; rmi -af and rmi -f PAUSE take the pods along" {
  kiln create --pod new:rp localhost/busybox true >/dev/null
  run kiln rmi -a
  [ "$status" -eq 2 ]
  [ "${lines[0]}" = "Error: 2 errors occurred:" ]
  [[ "${lines[1]}" == *"image is in use by a container: consider listing external containers and force-removing image" ]]
  bb=$(kiln inspect --format '{{.ID}}' localhost/busybox)
  pause=$(kiln inspect --format '{{.ID}}' "$PAUSE")
  run kiln rmi -af
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: localhost/busybox:latest
Untagged: $PAUSE
Deleted: $bb
Deleted: $pause" ]
  run kiln pod ps -q
  [ "$output" = "" ]
  run kiln ps -a -q
  [ "$output" = "" ]

  import_busybox >/dev/null
  kiln create --pod new:rp2 localhost/busybox true >/dev/null
  run kiln rmi "$PAUSE"
  [ "$status" -eq 2 ]
  [[ "$output" == "Error: image used by "*": image is in use by a container: consider listing external containers and force-removing image" ]]
  pause=$(kiln inspect --format '{{.ID}}' "$PAUSE")
  run kiln rmi -f "$PAUSE"
  [ "$output" = "Untagged: $PAUSE
Deleted: $pause" ]
  run kiln pod ps -q
  [ "$output" = "" ]
  run kiln ps -a -q
  [ "$output" = "" ]
  kiln image exists localhost/busybox
}

@test "pod commands answer as podman does" {
  has_podman || skip "podman is not installed"
  for e in kiln pm; do
    "$e" pod create --name same >/dev/null
    rc=0; out=$("$e" pod create --name same 2>&1) || rc=$?
    echo "$e: rc=$rc $out" >> "$TEST_ROOT/$e.out"
    for cmd in "pod rm nope" "pod start nope" "pod stop nope" "pod inspect nope" "pod create --name b@d"; do
      rc=0; out=$("$e" $cmd 2>&1) || rc=$?
      echo "$cmd: rc=$rc $out" >> "$TEST_ROOT/$e.out"
    done
    "$e" pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}' >> "$TEST_ROOT/$e.out"
    "$e" pod ps --noheading --filter name=nomatch >> "$TEST_ROOT/$e.out"
    # (not SharedNamespaces: podman's order of them varies)
    "$e" pod inspect same --format '{{.Name}} {{.State}} {{.NumContainers}} {{.CreateInfra}}' >> "$TEST_ROOT/$e.out"
    "$e" pod rm -t 0 --all --force --ignore >/dev/null
    "$e" pod ps >> "$TEST_ROOT/$e.out"
  done
  assert_same "$(sed 's/^pm:/kiln:/' "$TEST_ROOT/pm.out")" "$(cat "$TEST_ROOT/kiln.out")"
}

@test "rm --all removes infra containers last, and their pods with them" {
  kiln create --pod new:ra --name member localhost/busybox true >/dev/null
  member=$(kiln ps -a --no-trunc --filter name=member --format '{{.ID}}')
  infra=$(kiln pod inspect ra --format '{{.InfraContainerID}}')
  run kiln rm -a
  [ "$status" -eq 0 ]
  [ "$output" = "$member
$infra" ]
  run kiln pod ps -q
  [ "$output" = "" ]
}

@test "pod prune and system prune remove pods with nothing running" {
  kiln pod create --name idle >/dev/null
  kiln create --pod idle localhost/busybox true >/dev/null
  kiln pod create --name busy >/dev/null
  kiln run -d --pod busy localhost/busybox sleep 1000 >/dev/null
  idle=$(kiln pod inspect idle --format '{{.Id}}')
  run kiln pod prune -f
  [ "$status" -eq 0 ]
  [ "$output" = "$idle" ]
  run kiln pod ps --format '{{.Name}}'
  [ "$output" = "busy" ]
  kiln pod stop -t 0 busy >/dev/null
  kiln system prune -f >/dev/null
  run kiln pod ps -q
  [ "$output" = "" ]
  run kiln ps -a -q
  [ "$output" = "" ]
}
