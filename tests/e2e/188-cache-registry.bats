#!/usr/bin/env bats
# build --cache-to/--cache-from: two runners (two stores, two context directories) sharing a
# build cache through Debian's docker-registry on 127.0.0.1, as CI runners with empty stores do.

load helpers
load registry

setup() {
  has_registry || skip "docker-registry or python3 missing"
  setup_store
  export CONTAINERS_REGISTRIES_CONF=$TEST_ROOT/registries.conf
  : > "$CONTAINERS_REGISTRIES_CONF"
  export REGISTRY_AUTH_FILE=$TEST_ROOT/auth.json
  # Runner A and runner B: each its own store, each its own checkout of the same context.
  kiln_a() { "$KILN_BIN" --root "$TEST_ROOT/a" --runroot "$TEST_ROOT/a-run" "$@"; }
  kiln_b() { "$KILN_BIN" --root "$TEST_ROOT/b" --runroot "$TEST_ROOT/b-run" "$@"; }
  kiln_a import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  kiln_b import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  CTX_A=$TEST_ROOT/runner-a/src
  mkdir -p "$CTX_A"
  cat > "$CTX_A/Containerfile" <<'EOF'
FROM localhost/busybox
COPY a.txt /a.txt
RUN echo built > /run.txt && mkdir /d && echo x > /d/f
COPY b.txt /b.txt
ENV X=1
RUN cat /a.txt /b.txt > /both.txt
EOF
  echo alpha > "$CTX_A/a.txt"
  echo beta > "$CTX_A/b.txt"
}

teardown() {
  stop_registry
  for s in a b; do
    if [ -f "$TEST_ROOT/$s/kiln.db" ]; then
      "$KILN_BIN" --root "$TEST_ROOT/$s" --runroot "$TEST_ROOT/$s-run" system check >/dev/null ||
        { echo "store $s fails system check" >&2; return 1; }
    fi
  done
  cleanup_test_store
}

# B's checkout: another directory, files with new mtimes, the context directory itself of
# another mode, made under another umask (the files' own modes kept, as git keeps them).
checkout_b() {
  CTX_B=$TEST_ROOT/other/runner-b/checkout
  mkdir -p "$(dirname "$CTX_B")"
  (umask 077; cp -r --preserve=mode "$CTX_A" "$CTX_B")
  chmod 0700 "$CTX_B"
  touch -d '2001-02-03 04:05:06' "$CTX_B"/*
}

count() { grep -c -- "$1" <<< "$2" || true; }
blob_puts() { grep -a -c "\"PUT /v2/$1/blobs/uploads/" "$REG_DIR/log" || true; }

@test "cache-to on A, cache-from on an empty B in another directory, umask, TZ and locale: every step hits, only the missing layers are pulled" {
  start_registry
  run -0 kiln_a build --tls-verify=false --cache-to $REG/cache -t app "$CTX_A"
  [ "$(count "^--> Pushing cache $REG/cache:[0-9a-f]\{64\}$" "$output")" -eq 5 ]
  id_a=$(kiln_a inspect --format '{{.Id}}' app)
  run -0 curl -s "$REG_URL/v2/cache/tags/list"
  [ "$(grep -o '[0-9a-f]\{64\}' <<< "$output" | sort -u | wc -l)" -eq 5 ]

  checkout_b
  gets_before=$(blob_gets cache)
  run -0 env TZ=Pacific/Kiritimati LANG=sv_SE.UTF-8 LC_ALL=sv_SE.UTF-8 bash -c \
    'umask 077; "$0" --root "$1/b" --runroot "$1/b-run" build --tls-verify=false --cache-from "$2/cache" -t app "$3"' \
    "$KILN_BIN" "$TEST_ROOT" "$REG" "$CTX_B"
  [ "$(count '^--> Cache pulled from remote ' "$output")" -eq 5 ]
  [ "$(count '^--> Using cache [0-9a-f]\{64\}$' "$output")" -eq 5 ]
  [ "$(count 'Pushing cache' "$output")" -eq 0 ]
  [ "$(kiln_b inspect --format '{{.Id}}' app)" = "$id_a" ]
  # Blobs fetched: the three new layers (COPY, RUN, COPY, RUN: four) and the five step
  # images' configs; never busybox's layer, which B has.
  [ "$(( $(blob_gets cache) - gets_before ))" -eq 9 ]
  run -0 curl -s "$REG_URL/v2/cache/manifests/$(grep -o '[0-9a-f]\{64\}' <<< "$(curl -s "$REG_URL/v2/cache/tags/list")" | head -1)" \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json'
  first_layer=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])' <<< "$output")
  ! grep -a -q "GET /v2/cache/blobs/$first_layer" "$REG_DIR/log"
  # The pulled images are B's cache now: a rebuild hits locally and asks no registry.
  stop_registry
  run -0 kiln_b build --cache-from $REG/cache -t app "$CTX_B"
  [ "$(count '^--> Using cache ' "$output")" -eq 5 ]
  [ "$(count 'Cache pulled' "$output")" -eq 0 ]
}

@test "a file changed on B misses from its step on, pushes only the new layers, and A then hits them" {
  start_registry
  kiln_a build -q --tls-verify=false --cache-to $REG/cache -t app "$CTX_A" >/dev/null
  checkout_b
  echo gamma > "$CTX_B/b.txt"
  puts_before=$(blob_puts cache)
  run -0 kiln_b build --tls-verify=false --cache-from $REG/cache --cache-to $REG/cache -t app "$CTX_B"
  # COPY a.txt and the first RUN come from A; COPY b.txt, ENV and the last RUN are new.
  [ "$(count '^--> Cache pulled from remote ' "$output")" -eq 2 ]
  [ "$(count '^--> Pushing cache ' "$output")" -eq 3 ]
  [[ "$output" == *"STEP 4/6: COPY b.txt /b.txt"$'\n'"--> Pushing cache"* ]]
  # Uploaded: the two new layers and three configs; the layers A pushed are not sent again.
  [ "$(( $(blob_puts cache) - puts_before ))" -eq 5 ]
  id_b=$(kiln_b inspect --format '{{.Id}}' app)
  # A, with B's change, now hits every step through the registry.
  echo gamma > "$CTX_A/b.txt"
  run -0 kiln_a build --tls-verify=false --cache-from $REG/cache -t app "$CTX_A"
  [ "$(count '^--> Using cache ' "$output")" -eq 5 ]
  [ "$(kiln_a inspect --format '{{.Id}}' app)" = "$id_b" ]
}

@test "a registry that is down costs one warning; the build succeeds" {
  start_registry
  port=$REG_PORT
  stop_registry
  run -0 --separate-stderr kiln_b build --tls-verify=false --cache-from localhost:$port/cache \
    --cache-to localhost:$port/cache -t app "$CTX_A"
  [ "$(grep -c 'level=warning' <<< "$stderr")" -eq 1 ]
  [[ "$stderr" == *"not using the cache in localhost:$port/cache for the rest of this build"* ]]
  [ "$(count '^--> Using cache' "$output")" -eq 0 ]
  [ "$(count 'Pushing cache' "$output")" -eq 0 ]
  kiln_b inspect app >/dev/null
}

@test "a registry that refuses (no credentials) costs one warning; the build succeeds" {
  start_registry auth
  run -0 --separate-stderr kiln_b build --tls-verify=false --cache-from $REG/cache --cache-to $REG/cache \
    -t app "$CTX_A"
  [ "$(grep -c 'level=warning' <<< "$stderr")" -eq 1 ]
  [[ "$stderr" == *"unauthorized"* ]]
  kiln_b inspect app >/dev/null
}

@test "cache flags: bad repositories and --cache-ttl in podman's words; --cache-ttl ignores older entries" {
  run -125 kiln_a build --cache-to foo:tag "$CTX_A"
  assert_same 'Error: unable to parse value provided `foo:tag` to --cache-to: repository must contain neither a tag nor digest: docker.io/library/foo:tag' "$output"
  run -125 kiln_a build --cache-from 'Bad//x' "$CTX_A"
  assert_same 'Error: unable to parse value provided `Bad//x` to --cache-from: invalid repo "Bad//x": must contain registry and repository: invalid reference format: repository name must be lowercase' "$output"
  run -125 kiln_a build --cache-ttl 5x "$CTX_A"
  assert_same 'Error: unable to parse value provided "5x" as --cache-ttl: time: unknown unit "x" in duration "5x"' "$output"
  [ "$(kiln_a images -q | wc -l)" -eq 1 ]
  kiln_a build -q "$CTX_A" >/dev/null
  run -0 kiln_a build --cache-ttl 1h "$CTX_A"
  [ "$(count '^--> Using cache ' "$output")" -eq 5 ]
  sleep 1.1
  run -0 kiln_a build --cache-ttl 1s "$CTX_A"
  [ "$(count '^--> Using cache ' "$output")" -eq 0 ]
  run -0 kiln_a build --cache-ttl 0 "$CTX_A"
  [ "$(count '^--> Using cache ' "$output")" -eq 0 ]
}

@test "a hit whose layer cannot be downloaded after the build went on from it: one warning, the stage built again, same files" {
  start_registry
  run -0 kiln_a build --tls-verify=false --cache-to $REG/cache -t app "$CTX_A"
  # The RUN step's image (the second pushed): its own layer, the top one, removed from the
  # registry's storage, so its manifest and config are found but the layer is not.
  run_tag=$(grep -o "^--> Pushing cache $REG/cache:[0-9a-f]\{64\}$" <<< "$output" | sed -n 2p | sed 's/.*://')
  run -0 curl -s "$REG_URL/v2/cache/manifests/$run_tag" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
  layer=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"].split(":")[1])' <<< "$output")
  rm "$REG_DIR/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
  checkout_b
  run -0 --separate-stderr kiln_b build --tls-verify=false --cache-from $REG/cache -t app "$CTX_B"
  [ "$(grep -c 'level=warning' <<< "$stderr")" -eq 1 ]
  [[ "$stderr" == *"pulling cache $REG/cache:$run_tag failed, not using the cache in $REG/cache for the rest of this build"* ]]
  # The first time through every step hits; the second, COPY a.txt is a local hit (pulled the
  # first time), the registry is not asked, and the other four steps are built.
  [ "$(count '^STEP 6/6: RUN cat /a.txt /b.txt > /both.txt$' "$output")" -eq 2 ]
  [ "$(count '^--> Cache pulled from remote ' "$output")" -eq 5 ]
  [ "$(count '^--> Using cache ' "$output")" -eq 6 ]
  run -0 kiln_b run --rm app cat /both.txt /run.txt /d/f
  assert_same $'alpha\nbeta\nbuilt\nx' "$output"
}

@test "a --cache-to registry that goes away while the build goes on: one warning, the build succeeds" {
  start_registry
  cat > "$CTX_A/Containerfile" <<'EOF2'
FROM localhost/busybox
COPY a.txt /a.txt
RUN sleep 3
COPY b.txt /b.txt
EOF2
  kiln_a build --tls-verify=false --cache-to $REG/cache -t app "$CTX_A" > "$TEST_ROOT/out" 2> "$TEST_ROOT/err" &
  pid=$!
  for _ in $(seq 200); do grep -q '^--> Pushing cache' "$TEST_ROOT/out" && break; sleep 0.05; done
  grep -q '^--> Pushing cache' "$TEST_ROOT/out"
  stop_registry
  wait $pid
  [ "$(grep -c 'level=warning' "$TEST_ROOT/err")" -eq 1 ]
  grep -q "pushing cache localhost:$REG_PORT/cache:[0-9a-f]\{64\} failed, not using the cache in localhost:$REG_PORT/cache" "$TEST_ROOT/err"
  [ "$(grep -c '^STEP ' "$TEST_ROOT/out")" -eq 4 ]
  kiln_a inspect app >/dev/null
}
