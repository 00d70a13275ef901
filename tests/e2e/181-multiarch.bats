#!/usr/bin/env bats
# Multi-platform builds: build --platform A,B --manifest LIST, import --arch, base images
# chosen per platform, RUN of another architecture through binfmt_misc (qemu-user-static).

load helpers
load registry

setup() {
  setup_store
  CTX=$TEST_ROOT/ctx
  mkdir -p "$CTX"
  export CONTAINERS_REGISTRIES_CONF=$TEST_ROOT/registries.conf
  : > "$CONTAINERS_REGISTRIES_CONF"
  export REGISTRY_AUTH_FILE=$TEST_ROOT/auth.json
  echo '{"auths":{}}' > "$REGISTRY_AUTH_FILE"
}

teardown() {
  stop_registry
  cleanup_test_store
}

# localhost/busybox-amd64, localhost/busybox-arm64 and the list localhost/busybox of both.
import_both_busyboxes() {
  local arm64
  arm64=$(busybox_arm64_tar)
  [ -n "$arm64" ] || skip "no arm64 busybox (scripts/busybox-arm64-rootfs.sh needs apt's arm64 packages)"
  kiln import -q "$(busybox_tar)" localhost/busybox-amd64 >/dev/null
  kiln import -q --arch arm64 "$arm64" localhost/busybox-arm64 >/dev/null
  kiln manifest create localhost/busybox containers-storage:localhost/busybox-amd64 \
    containers-storage:localhost/busybox-arm64 >/dev/null
}

@test "import --arch/--os/--variant: the config podman's import writes" {
  arm64=$(busybox_arm64_tar)
  [ -n "$arm64" ] || skip "no arm64 busybox"
  run -0 kiln import -q --arch arm64 --variant v8 "$arm64" bb:arm64
  kid=$output
  run -0 kiln inspect --format '{{.Architecture}} {{.Os}}' bb:arm64
  [ "$output" = "arm64 linux" ]
  run -0 kiln manifest create l containers-storage:bb:arm64
  run -0 kiln manifest inspect l
  [[ "$output" == *'"variant": "v8"'* ]]
  if has_podman; then
    run -0 pm import -q --arch arm64 --variant v8 "$arm64" bb:arm64
    [ "$output" = "$kid" ]  # same config bytes, same ID
    run -0 pm import -q --os linux --arch amd64 "$(busybox_tar)" bb:amd64
    pid=$output
    run -0 kiln import -q --os linux --arch amd64 "$(busybox_tar)" bb:amd64
    [ "$output" = "$pid" ]
  fi
}

@test "build --platform linux/amd64,linux/arm64 --manifest: one image each, RUN on its architecture" {
  ensure_qemu_aarch64 || skip "binfmt_misc cannot run arm64 programs here (not root, or the kernel refuses)"
  import_both_busyboxes
  containerfile <<'CF'
FROM localhost/busybox
ARG TARGETARCH
RUN uname -m > /arch && echo "$TARGETARCH" > /targetarch
CF
  run -0 kiln build --platform linux/amd64,linux/arm64 --manifest app "$CTX"
  [[ "$output" == *"[linux/amd64] STEP 3/3: RUN uname -m"* ]]
  [[ "$output" == *"[linux/arm64] COMMIT"* ]]
  run -0 kiln manifest inspect app
  plat=$(echo "$output" | python3 -c 'import json,sys; print(" ".join(m["platform"]["os"]+"/"+m["platform"]["architecture"] for m in json.load(sys.stdin)["manifests"]))')
  [ "$plat" = "linux/amd64 linux/arm64" ]
  for d in $(echo "$output" | python3 -c 'import json,sys; [print(m["digest"]) for m in json.load(sys.stdin)["manifests"]]'); do
    id=$(kiln images --digests --format '{{.Digest}} {{.ID}}' | awk -v d=$d '$1==d {print $2}')
    run -0 kiln inspect --format '{{.Architecture}}' "$id"
    arch=$output
    run -0 kiln run --rm "$id" cat /arch /targetarch
    case $arch in
      amd64) [ "$output" = $'x86_64\namd64' ] ;;
      arm64) [ "$output" = $'aarch64\narm64' ] ;;
      *) false ;;
    esac
  done
  # A rebuild comes from the cache, platform by platform.
  run -0 kiln build --platform linux/amd64,linux/arm64 --manifest app "$CTX"
  [ "$(grep -c -- '--> Using cache' <<<"$output")" = 4 ]
  run -0 kiln manifest inspect app
  [ "$(echo "$output" | grep -c '"digest"')" = 2 ]
}

@test "build --platform: COPY-only stages need no emulator; the cache keeps platforms apart" {
  echo hi > "$CTX/f"
  containerfile <<'CF'
FROM scratch
COPY f /f
CF
  run -0 kiln build -q --platform linux/s390x "$CTX"
  s390x=$output
  run -0 kiln build -q --platform linux/ppc64le "$CTX"
  [ "$output" != "$s390x" ]
  run -0 kiln inspect --format '{{.Architecture}} {{.Os}}' "$output"
  [ "$output" = "ppc64le linux" ]
  run -0 kiln inspect --format '{{.Architecture}}' "$s390x"
  [ "$output" = s390x ]
}

@test "build --platform: a missing emulator and an unknown platform are errors that change nothing" {
  [ ! -e /proc/sys/fs/binfmt_misc/qemu-s390x ] || skip "qemu-s390x is registered here"
  import_busybox localhost/base-amd64 >/dev/null
  kiln import -q --arch s390x "$(busybox_tar)" localhost/base-s390x >/dev/null
  echo hi > "$CTX/f"
  containerfile <<'CF'
ARG TARGETARCH
FROM localhost/base-$TARGETARCH
COPY f /f
RUN true
CF
  run -125 kiln build --platform linux/amd64,linux/s390x --manifest app "$CTX"
  [[ "$output" == *'Error: building at STEP "RUN true": running linux/s390x programs needs an emulator, and '* ]]
  [[ "$output" == *"install qemu-user-static"* ]]
  run -1 kiln manifest exists app
  run -125 kiln build --platform linux/amd64,bogus/ --manifest app "$CTX"
  [ "$output" = 'Error: invalid platform syntax for --platform="bogus/": empty component' ]
  run -125 kiln build --platform windows/amd64 "$CTX"
  [ "$output" = 'Error: building for OS windows (windows/amd64) is not supported: only linux' ]
  run -1 kiln manifest exists app
}

@test "build --platform: a base image of another platform is an error naming both; a list gives its instance" {
  import_both_busyboxes
  printf 'FROM localhost/busybox-amd64\n' | containerfile
  run -125 kiln build --arch arm64 "$CTX"
  [ "$output" = "STEP 1/1: FROM localhost/busybox-amd64
Error: creating build container: localhost/busybox-amd64:latest: image platform (linux/amd64) does not match the expected platform (linux/arm64)" ]
  printf 'FROM localhost/busybox\n' | containerfile
  run -0 kiln build -q --arch arm64 "$CTX"
  [ "$output" = "$(kiln inspect --format '{{.Id}}' localhost/busybox-arm64)" ]
  run -125 kiln build --platform linux/s390x "$CTX"
  [ "${lines[-1]}" = 'Error: creating build container: localhost/busybox:latest: no image found in image index for architecture s390x, variant "", OS linux' ]
}

@test "build --manifest of two platforms, pushed: skopeo sees the index, podman pulls the arm64 image" {
  has_registry || skip "docker-registry or python3 missing"
  ensure_qemu_aarch64 || skip "binfmt_misc cannot run arm64 programs here"
  import_both_busyboxes
  printf 'FROM localhost/busybox\nRUN uname -m > /arch\n' | containerfile
  kiln build -q --platform linux/amd64,linux/arm64 --manifest app "$CTX" >/dev/null
  start_registry
  run -0 kiln manifest push -q --all --tls-verify=false app docker://$REG/app:1
  run -0 skopeo inspect --tls-verify=false --raw docker://$REG/app:1
  [[ $output == *'"platform":{"architecture":"amd64","os":"linux"}'* ]]
  [[ $output == *'"platform":{"architecture":"arm64","os":"linux"}'* ]]
  arm64_id=$(kiln images --format '{{.ID}} {{.Digest}}' --no-trunc | while read -r id d; do
    [ "$(kiln inspect --format '{{.Architecture}}' "$id")" = arm64 ] && echo "${id#sha256:}"; done | head -n 1)
  if has_podman; then
    run -0 pm pull -q --tls-verify=false --arch arm64 $REG/app:1
    [ "${lines[-1]}" = "$arm64_id" ]
  fi
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --tls-verify=false --arch arm64 $REG/app:1
  [ "$output" = "$arm64_id" ]
  run -0 kiln run --rm $REG/app:1 cat /arch
  [ "$output" = aarch64 ]
}

@test "run and save of a list name: the host's instance (podman 4.3.1); run --arch/--platform picks another" {
  [ "$(uname -m)" = x86_64 ] || skip "the expectations are an amd64 host's"
  ensure_qemu_aarch64 || skip "binfmt_misc cannot run arm64 programs here"
  import_both_busyboxes
  printf 'FROM localhost/busybox\nRUN uname -m > /arch\n' | containerfile
  kiln build -q --platform linux/amd64,linux/arm64 --manifest app "$CTX" >/dev/null
  amd64_id=$(kiln build -q --platform linux/amd64 "$CTX")
  run -0 kiln run --rm app cat /arch
  [ "$output" = x86_64 ]
  run -0 kiln run --rm --arch arm64 app cat /arch
  [ "$output" = aarch64 ]
  run -0 kiln run --rm --platform linux/arm64 app cat /arch
  [ "$output" = aarch64 ]
  run -125 kiln run --rm --arch s390x app true
  [ "$output" = 'Error: localhost/app:latest: no image found in image index for architecture s390x, variant "", OS linux' ]
  run -0 kiln save -q -o "$TEST_ROOT/app.tar" app
  run -0 tar -xOf "$TEST_ROOT/app.tar" manifest.json
  [[ "$output" == '[{"Config":"'$amd64_id'.json","RepoTags":["localhost/app:latest"]'* ]]
  kiln rmi -a -f >/dev/null
  run -0 kiln load -q -i "$TEST_ROOT/app.tar"
  run -0 kiln run --rm app cat /arch
  [ "$output" = x86_64 ]
}

# A second, empty store beside the test's.
kiln2() {
  "$KILN_BIN" --root "$TEST_ROOT/root2" --runroot "$TEST_ROOT/run2" "$@"
}

# "DIGEST OS/ARCH" of each instance a store's list names, with the image that has it.
list_instances() {
  local k=$1 list=$2 d
  for d in $($k manifest inspect "$list" | python3 -c 'import json,sys; [print(m["digest"]) for m in json.load(sys.stdin)["manifests"]]'); do
    id=$($k images --digests --no-trunc --format '{{.Digest}} {{.ID}}' | awk -v d="$d" '$1==d {print $2; exit}')
    [ -n "$id" ] || { echo "no image with manifest $d"; return 1; }
    echo "$d $id $($k inspect --format '{{.Os}}/{{.Architecture}}' "$id")"
  done
}

@test "save -m or --format oci-archive|oci-dir of a list writes the index and every instance; load restores the list" {
  import_both_busyboxes
  list_digest=$(kiln images --digests --format '{{.Repository}} {{.Digest}}' | awk '$1=="localhost/busybox" {print $2}')
  [ -n "$list_digest" ]
  run -0 kiln manifest inspect localhost/busybox
  inspect=$output
  run -0 list_instances kiln localhost/busybox
  instances=$output
  [ "$(awk '{print $3}' <<<"$instances" | sort | tr '\n' ' ')" = "linux/amd64 linux/arm64 " ]
  for fmt in oci-archive oci-dir; do
    out=$TEST_ROOT/list.$fmt
    run -0 kiln save -q --format $fmt -o "$out" localhost/busybox
    rm -rf "$TEST_ROOT/root2" "$TEST_ROOT/run2"
    run -0 kiln2 load -i "$out"
    [ "${lines[-1]}" = "Loaded image: localhost/busybox:latest" ]
    [[ "$output" == *"Writing manifest list to image destination"* ]]
    run -0 kiln2 images --digests --format '{{.Repository}} {{.Digest}}'
    [[ "$output" == *"localhost/busybox $list_digest"* ]]
    run -0 kiln2 manifest inspect localhost/busybox
    assert_same "$inspect" "$output"
    run -0 list_instances kiln2 localhost/busybox
    assert_same "$instances" "$output"
    # Loading it again keeps the one list.
    run -0 kiln2 load -q -i "$out"
    [ "$(kiln2 images -a --format '{{.ID}}' | wc -l)" = 3 ]
    run -0 kiln2 system check
  done
  # save -m (docker-archive): every instance in manifest.json, and the list as an OCI layout
  # in the same tar; an image named beside the list keeps its name.
  run -0 kiln save -q -m -o "$TEST_ROOT/list-m.tar" localhost/busybox localhost/busybox-amd64
  run -0 tar -xOf "$TEST_ROOT/list-m.tar" manifest.json
  [ "$(grep -o '"Config"' <<<"$output" | wc -l)" = 2 ]
  rm -rf "$TEST_ROOT/root2" "$TEST_ROOT/run2"
  run -0 kiln2 load -i "$TEST_ROOT/list-m.tar"
  [[ "$output" == *"Loaded image: localhost/busybox-amd64:latest"* ]]
  [ "${lines[-1]}" = "Loaded image: localhost/busybox:latest" ]
  run -0 kiln2 manifest inspect localhost/busybox
  assert_same "$inspect" "$output"
  run -0 list_instances kiln2 localhost/busybox
  assert_same "$instances" "$output"
  run -0 kiln2 inspect --format '{{.Architecture}}' localhost/busybox-amd64
  [ "$output" = amd64 ]
  run -0 kiln2 system check
  if has_podman; then
    # podman 4.3.1 loads the host's image of the list archive kiln wrote.
    run -0 pm load -q -i "$TEST_ROOT/list.oci-archive"
    run -0 pm inspect --format '{{.Architecture}}' localhost/busybox
    [ "$output" = "$(kiln inspect --format '{{.Architecture}}' localhost/busybox-amd64)" ]
  fi
}

@test "pull --arch of a list podman pushed: each instance, with the config podman's has" {
  has_podman || skip "podman missing"
  has_registry || skip "docker-registry or python3 missing"
  arm64=$(busybox_arm64_tar)
  [ -n "$arm64" ] || skip "no arm64 busybox"
  start_registry
  run -0 pm import -q --arch amd64 "$(busybox_tar)" localhost/bb-amd64
  pm_amd64=${output#sha256:}
  run -0 pm import -q --arch arm64 "$arm64" localhost/bb-arm64
  pm_arm64=${output#sha256:}
  run -0 pm manifest create localhost/pl containers-storage:localhost/bb-amd64 containers-storage:localhost/bb-arm64
  run -0 pm manifest push -q --all --tls-verify=false localhost/pl docker://$REG/pl:1
  run -0 skopeo inspect --tls-verify=false --raw docker://$REG/pl:1
  [[ $output == *'"platform":{"architecture":"arm64","os":"linux"}'* ]]
  run -0 kiln pull -q --tls-verify=false --arch arm64 $REG/pl:1
  [ "$output" = "$pm_arm64" ]
  run -0 kiln inspect --format '{{.Architecture}}' $REG/pl:1
  [ "$output" = arm64 ]
  run -0 kiln pull -q --tls-verify=false --arch amd64 $REG/pl:1
  [ "$output" = "$pm_amd64" ]
  run -0 kiln inspect --format '{{.Architecture}} {{.Id}}' $REG/pl:1
  [ "$output" = "amd64 $pm_amd64" ]
  # Both stay in the store: the arm64 one by ID, the name on the last pulled.
  run -0 kiln inspect --format '{{.Architecture}}' "$pm_arm64"
  [ "$output" = arm64 ]
  run -125 kiln pull -q --tls-verify=false --arch s390x $REG/pl:1
  [[ "$output" == *'no image found in image index for architecture s390x'* ]]
}

@test "build --platform A,B builds the platforms at once (--jobs 1: in turn); every line says its platform; same images" {
  ensure_qemu_aarch64 || skip "binfmt_misc cannot run arm64 programs here"
  import_both_busyboxes
  mkdir -p "$TEST_ROOT/sync"
  # Each platform's RUN waits for the other's to have started: only builds at once finish.
  containerfile <<'CF'
FROM localhost/busybox
ARG TARGETARCH
RUN touch /sync/$TARGETARCH; other=amd64; [ $TARGETARCH = amd64 ] && other=arm64; i=0; \
    while [ ! -e /sync/$other ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; \
    [ -e /sync/$other ] && echo "saw $other" && echo "stderr of $TARGETARCH" >&2
CF
  run -0 kiln build -v "$TEST_ROOT/sync:/sync" --platform linux/amd64,linux/arm64 -t app "$CTX"
  [[ "$output" == *"[linux/amd64] saw arm64"* ]]
  [[ "$output" == *"[linux/arm64] saw amd64"* ]]
  [[ "$output" == *"[linux/arm64] stderr of arm64"* ]]
  [[ "$output" == *"[linux/amd64] STEP 3/3: RUN touch"* ]]
  # Every line but the two IDs (bare, in the order given) names its platform.
  [ "$(grep -vc '^\[linux/a[mr][dm]64\] ' <<<"$output")" = 2 ]
  arm64_id=${lines[-1]}
  [ "$(kiln inspect --format '{{.Architecture}}' "${lines[-2]}")" = amd64 ]
  [ "$(kiln inspect --format '{{.Architecture}}' "$arm64_id")" = arm64 ]
  run -0 kiln inspect --format '{{.Id}}' app  # -t: the last platform's image, as built in turn
  [ "$output" = "$arm64_id" ]

  # The same images whether built at once or in turn; in turn, one platform's lines follow the other's.
  printf 'FROM localhost/busybox\nRUN uname -m > /arch\n' | containerfile
  run -0 kiln build -q --no-cache --timestamp 0 --platform linux/amd64,linux/arm64 "$CTX"
  at_once=$output
  run -0 kiln build --no-cache --timestamp 0 --jobs 1 --platform linux/amd64,linux/arm64 "$CTX"
  [ "$(grep -o '^\[linux/a[mr][dm]64\]' <<<"$output" | uniq | tr '\n' ' ')" = "[linux/amd64] [linux/arm64] " ]
  run -0 kiln build -q --no-cache --timestamp 0 --jobs 1 --platform linux/amd64,linux/arm64 "$CTX"
  [ "$output" = "$at_once" ]
}
