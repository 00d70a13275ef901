#!/usr/bin/env bats
# The flags a build applies to its final image (--label, --annotation, --env, --unsetenv,
# --timestamp, --identity-label, --format, --omit-history, --os-version, --os-feature,
# --variant, --squash, --squash-all) with a warm layer cache: the result must differ from the cached image
# and carry the flag's effect, and a rebuild with the same flag must be fully cached and give
# the same image (except --squash and --squash-all, which like podman's use no cache).
load helpers

setup() {
  setup_build_context
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox
ENV K=v
RUN echo "E=$E K=$K" > /e
CF
}

# How many steps after FROM a build's output shows, and how many of them were cached.
steps_after_from() { grep -c '^STEP [0-9]*/[0-9]*: ' <<<"$1" | awk '{ print $1 - 1 }'; }
cached_count() { grep -c -- '^--> Using cache ' <<<"$1" || true; }

# Builds once without flags (the warm cache), then twice with "$@". Sets PLAIN (the cached
# image), FLAGGED (the first build with the flags) and checks that it differs from PLAIN,
# and that the second build with the flags had every step cached and gave FLAGGED again.
build_warm_then_flagged() {
  PLAIN=$(kiln build -q -t plain "$CTX")
  run -0 kiln build -t flagged "$@" "$CTX"
  FLAGGED=${lines[-1]}
  [ "$FLAGGED" != "$PLAIN" ]
  run -0 kiln build -t flagged "$@" "$CTX"
  [ "${lines[-1]}" = "$FLAGGED" ]
  [ "$(cached_count "$output")" = "$(steps_after_from "$output")" ]
  # the flags never reach the cached steps: a build without them gives the plain image again
  [ "$(kiln build -q "$CTX")" = "$PLAIN" ]
}

@test "build flags: --label with a warm cache is a LABEL step of its own, as in podman" {
  build_warm_then_flagged --label x=1 --label 'q=it'"'"'s "$K"'
  run -0 kiln inspect --format '{{json .Labels}}' flagged
  [ "$output" = '{"io.buildah.version":"1.28.2","q":"it'"'"'s \"$K\"","x":"1"}' ]
  run -0 kiln build --label x=1 --label 'q=it'"'"'s "$K"' "$CTX"
  grep -qx 'STEP 4/5: LABEL "x"="1"' <<<"$output"
  grep -qx 'STEP 5/5: LABEL "q"="it'"'"'s \\"$K\\""' <<<"$output"
  run -0 kiln history --no-trunc --format '{{.CreatedBy}}' flagged
  [ "${lines[0]}" = '/bin/sh -c #(nop) LABEL "q"="it'"'"'s \"$K\""' ]
  [ "${lines[1]}" = '/bin/sh -c #(nop) LABEL "x"="1"' ]
  # another value is another image
  other=$(kiln build -q --label x=2 "$CTX")
  [ "$other" != "$FLAGGED" ] && [ "$other" != "$PLAIN" ]
  [ "$(kiln inspect --format '{{.Labels.x}}' "$other")" = 2 ]
}

@test "build flags: --label steps and history match podman's" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  pm build -q "$CTX" >/dev/null
  kiln build -q "$CTX" >/dev/null
  want=$(pm build --label x=1 --label 'y=a b' "$CTX" | grep -E '^(STEP|--> Using cache|COMMIT)' | sed 's/Using cache .*/Using cache/')
  got=$(kiln build --label x=1 --label 'y=a b' "$CTX" | grep -E '^(STEP|--> Using cache|COMMIT)' | sed 's/Using cache .*/Using cache/')
  assert_same "$want" "$got"
  want=$(pm history --no-trunc --format '{{.CreatedBy}}' "$(pm build -q --label x=1 --label 'y=a b' "$CTX")")
  got=$(kiln history --no-trunc --format '{{.CreatedBy}}' "$(kiln build -q --label x=1 --label 'y=a b' "$CTX")")
  assert_same "$want" "$got"
}

@test "build flags: --label goes on the --target stage's image" {
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox AS first
RUN echo a > /a
FROM localhost/busybox
RUN echo b > /b
CF
  run -0 kiln build --target first --label t=1 "$CTX"
  grep -q 'STEP 3/3: LABEL "t"="1"$' <<<"$output"
  [ "$(kiln inspect --format '{{.Labels.t}}' "${lines[-1]}")" = 1 ]
}

@test "build flags: --annotation with a warm cache" {
  build_warm_then_flagged --annotation a.b=c
  run -0 kiln inspect --format '{{index .Annotations "a.b"}}' flagged
  [ "$output" = c ]
  run -0 kiln inspect --format '{{index .Annotations "a.b"}}' plain
  [ "$output" = "" ]
}

@test "build flags: --env with a warm cache sets the final image's variables, not RUN's" {
  build_warm_then_flagged --env E=1 --env 'F=$K-x'
  run -0 kiln inspect --format '{{json .Config.Env}}' flagged
  [ "$output" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","K=v","E=1","F=v-x"]' ]
  run -0 kiln run --rm flagged cat /e
  [ "$output" = "E= K=v" ]
  run -0 kiln inspect --format '{{json .Config.Env}}' plain
  [ "$output" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","K=v"]' ]
}

@test "build flags: --unsetenv with a warm cache" {
  build_warm_then_flagged --unsetenv K
  run -0 kiln inspect --format '{{json .Config.Env}}' flagged
  [ "$output" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' ]
}

@test "build flags: --env, --unsetenv, --identity-label, --omit-history give podman's config" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  local flags=(--env E=1 --env 'F=$K-x' --unsetenv K --identity-label=false --omit-history --annotation an=1)
  local tmpl='{{json .Config.Env}} {{json .Labels}} {{len .History}} {{.Annotations.an}} {{.Architecture}} {{.Os}}'
  want=$(pm inspect --format "$tmpl" "$(pm build -q --no-cache "${flags[@]}" "$CTX")")
  kiln build -q "$CTX" >/dev/null
  got=$(kiln inspect --format "$tmpl" "$(kiln build -q "${flags[@]}" "$CTX")")
  assert_same "$want" "$got"
}

@test "build flags: --timestamp 0 with a warm cache makes a new image created at the epoch" {
  build_warm_then_flagged --timestamp 0
  run -0 kiln inspect --format '{{.Created}}' flagged
  [ "$output" = "1970-01-01 00:00:00 +0000 UTC" ]
  run -0 kiln history --format '{{.CreatedAt}}' flagged
  # every step of this build has the fixed time; the base keeps its own
  [ "${lines[0]}" = "1970-01-01 00:00:00 +0000 UTC" ]
  [ "${lines[1]}" = "1970-01-01 00:00:00 +0000 UTC" ]
}

@test "build flags: --identity-label=false with a warm cache" {
  build_warm_then_flagged --identity-label=false
  run -0 kiln inspect --format '{{json .Labels}}' flagged
  [ "$output" = null ]
  run -0 kiln inspect --format '{{json .Labels}}' plain
  [ "$output" = '{"io.buildah.version":"1.28.2"}' ]
}

@test "build flags: --format docker with a warm cache" {
  build_warm_then_flagged --format docker
  run -0 kiln inspect --format '{{.ManifestType}}' flagged
  [ "$output" = application/vnd.docker.distribution.manifest.v2+json ]
  run -0 kiln inspect --format '{{.ManifestType}}' plain
  [ "$output" = application/vnd.oci.image.manifest.v1+json ]
}

@test "build flags: --omit-history with a warm cache" {
  build_warm_then_flagged --omit-history
  run -0 kiln inspect --format '{{len .History}} {{len .RootFS.Layers}}' flagged
  [ "$output" = "0 2" ]
}

# The config JSON of an image, through an oci-dir save (inspect does not show every key).
config_of() {
  rm -rf "$TEST_ROOT/oci"
  kiln save -q --format oci-dir -o "$TEST_ROOT/oci" "$1" >/dev/null 2>&1
  python3 - "$TEST_ROOT/oci" <<'PY'
import json, sys
d = sys.argv[1]
blob = lambda digest: json.load(open(d + "/blobs/sha256/" + digest.split(":")[1]))
manifest = blob(json.load(open(d + "/index.json"))["manifests"][0]["digest"])
print(json.dumps(blob(manifest["config"]["digest"])))
PY
}

@test "build flags: --os-version, --os-feature and --variant with a warm cache" {
  build_warm_then_flagged --os-version 10.1 --os-feature f1 --os-feature f2 --os-feature f1- --variant v3
  run -0 config_of flagged
  [[ "$output" == *'"architecture": "amd64", "variant": "v3", "os": "linux", "os.version": "10.1", "os.features": ["f2"], "config": '* ]]
  run -0 config_of plain
  [[ "$output" != *os.version* && "$output" != *variant* ]]
  # --platform's third part is the variant
  run -0 kiln build -q --platform linux/amd64/v2 "$CTX"
  run -0 config_of "$output"
  [[ "$output" == *'"variant": "v2", "os": "linux", "config": '* ]]
}

@test "build flags: --os-version, --os-feature and --variant give podman's config" {
  has_podman || skip "podman not installed"
  # FROM scratch: podman looks for a base image of the asked variant, which kiln does not
  mkdir -p "$TEST_ROOT/scratch"
  echo hi > "$TEST_ROOT/scratch/f"
  printf 'FROM scratch\nCOPY f /f\n' > "$TEST_ROOT/scratch/Containerfile"
  local flags=(--os-version 10.1 --os-feature f1 --os-feature f2 --os-feature f3 --os-feature f1- --os-feature 'a,b'
    --variant v3 --identity-label=false)
  kiln build -q "$TEST_ROOT/scratch" >/dev/null
  got=$(config_of "$(kiln build -q "${flags[@]}" "$TEST_ROOT/scratch")" | python3 -c 'import json, sys; c = json.load(sys.stdin); [c.pop(k) for k in ("created", "history", "rootfs")]; print(json.dumps(c))')
  id=$(pm build -q --no-cache "${flags[@]}" "$TEST_ROOT/scratch")
  rm -rf "$TEST_ROOT/pmoci"
  pm save -q --format oci-dir -o "$TEST_ROOT/pmoci" "$id"
  want=$(python3 - "$TEST_ROOT/pmoci" <<'PY'
import json, sys
d = sys.argv[1]
blob = lambda digest: json.load(open(d + "/blobs/sha256/" + digest.split(":")[1]))
c = blob(blob(json.load(open(d + "/index.json"))["manifests"][0]["digest"])["config"]["digest"])
[c.pop(k) for k in ("created", "history", "rootfs")]  # layer tars differ in bytes (compat.md)
print(json.dumps(c))
PY
)
  assert_same "$want" "$got"
}

@test "build flags: --squash with a warm cache makes one new layer, as podman's" {
  printf 'RUN echo 2 > /f\n' >> "$CTX/Containerfile"
  PLAIN=$(kiln build -q -t plain "$CTX")
  run -0 kiln build --squash -t squashed "$CTX"
  [ "$(cached_count "$output")" = 0 ]
  [ "${lines[-1]}" != "$PLAIN" ]
  run -0 kiln inspect --format '{{len .RootFS.Layers}} {{len .History}}' plain
  [ "$output" = "3 4" ]
  run -0 kiln inspect --format '{{len .RootFS.Layers}} {{len .History}}' squashed
  [ "$output" = "2 4" ]
  run -0 kiln run --rm squashed cat /e /f
  [ "$output" = $'E= K=v\n2' ]
  # the cache still gives the layered image to a build without the flag
  [ "$(kiln build -q "$CTX")" = "$PLAIN" ]
  run -125 kiln build --squash --layers=false "$CTX"
  [ "$output" = "Error: cannot specify --squash with --layers and --squash-all with --squash" ]
}

@test "build flags: --squash output and history match podman's" {
  has_podman || skip "podman not installed"
  printf 'RUN echo 2 > /f\n' >> "$CTX/Containerfile"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  pm build -q "$CTX" >/dev/null
  kiln build -q "$CTX" >/dev/null
  want=$(pm build --squash "$CTX" | grep -E '^(STEP|--> Using cache|COMMIT)')
  got=$(kiln build --squash "$CTX" | grep -E '^(STEP|--> Using cache|COMMIT)')
  assert_same "$want" "$got"
  local tmpl='{{len .RootFS.Layers}}{{range .History}} [{{.CreatedBy}}|{{.EmptyLayer}}|{{.Comment}}]{{end}}'
  want=$(pm inspect --format "$tmpl" "$(pm build -q --squash "$CTX")")
  got=$(kiln inspect --format "$tmpl" "$(kiln build -q --squash "$CTX")")
  assert_same "$want" "$got"
}

@test "build flags: --squash-all makes the base and the new layers one, deletions applied" {
  printf 'RUN echo 2 > /f && rm /bin/ls\n' >> "$CTX/Containerfile"
  PLAIN=$(kiln build -q -t plain "$CTX")
  run -0 kiln build --squash-all -t flat "$CTX"
  [ "$(cached_count "$output")" = 0 ]
  [ "${lines[-1]}" != "$PLAIN" ]
  # buildah's squash keeps only this build's history, the last step carrying the one layer
  run -0 kiln inspect --format '{{len .RootFS.Layers}} {{len .History}} {{(index .History 2).EmptyLayer}}' flat
  [ "$output" = "1 3 false" ]
  run -0 kiln run --rm flat sh -c 'cat /e /f; test -e /bin/ls || echo gone; test -x /bin/sh && echo sh'
  [ "$output" = $'E= K=v\n2\ngone\nsh' ]
  [ "$(kiln build -q "$CTX")" = "$PLAIN" ]
  run -125 kiln build --squash --squash-all "$CTX"
  [ "$output" = "Error: cannot specify --squash with --layers and --squash-all with --squash" ]
  run -0 kiln build -q --squash-all --layers "$CTX"
}

@test "build flags: --squash-all history and layer count match podman's" {
  has_podman || skip "podman not installed"
  printf 'RUN echo 2 > /f && rm /bin/ls\n' >> "$CTX/Containerfile"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  local tmpl='{{len .RootFS.Layers}}{{range .History}} [{{.CreatedBy}}|{{.EmptyLayer}}|{{.Comment}}]{{end}}'
  want=$(pm inspect --format "$tmpl" "$(pm build -q --squash-all "$CTX")")
  got=$(kiln inspect --format "$tmpl" "$(kiln build -q --squash-all "$CTX")")
  assert_same "$want" "$got"
  want=$(pm build --squash-all "$CTX" | grep -E '^(STEP|--> Using cache|COMMIT)')
  got=$(kiln build --squash-all "$CTX" | grep -E '^(STEP|--> Using cache|COMMIT)')
  assert_same "$want" "$got"
}

@test "build flags: --os/--arch of the host's build as usual; another's needs a base image of that platform" {
  run -0 kiln build -q --os linux --arch amd64 "$CTX"
  run -125 kiln build -q --arch arm64 "$CTX"
  [[ "$output" == *"Error: "*"image platform (linux/amd64) does not match the expected platform (linux/arm64)" ]]
}

@test "build flags: images built from one Containerfile with their own --label stay apart" {
  for v in 1 2 3; do
    kiln build -q --label version=$v -t myapp:v$v "$CTX" >/dev/null
  done
  ids=$(kiln images --format '{{.ID}}' myapp | sort -u | wc -l)
  [ "$ids" = 3 ]
  run -0 kiln rmi -f myapp:v1
  run -1 kiln image exists myapp:v1
  for v in 2 3; do
    run -0 kiln inspect --format '{{.Labels.version}}' myapp:v$v
    [ "$output" = $v ]
    run -0 kiln run --rm myapp:v$v cat /e
    [ "$output" = "E= K=v" ]
  done
  # the shared steps are still cached
  run -0 kiln build --label version=4 -t myapp:v4 "$CTX"
  [ "$(cached_count "$output")" = 2 ]
}

@test "build flags: a --label value that is not UTF-8 is written as U+FFFD, as Go's encoding/json does" {
  containerfile <<'CF'
FROM localhost/busybox
CF
  run -0 kiln build -q --label $'x=a\xd4z' -t badutf8 "$CTX"
  run -0 kiln inspect --format '{{json .Labels}}' badutf8
  [[ "$output" == *'"x":"a'$'\xef\xbf\xbd''z"'* ]]
  run -0 kiln images --format '{{.Repository}}' --filter dangling=true
  [ -z "$output" ]
}
