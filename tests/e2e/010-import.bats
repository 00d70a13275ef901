#!/usr/bin/env bats
# kiln import: tarballs (plain, gzip, zstd, stdin), --change, -m, errors.
load helpers

setup() { setup_store; }

@test "import prints the full ID and podman's progress lines" {
  run --separate-stderr kiln import "$(busybox_tar)" busybox
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  [[ "$stderr" == *"Getting image source signatures"* ]]
  [[ "$stderr" == *"Copying blob sha256:"* ]]
  [[ "$stderr" == *"Writing manifest to image destination"* ]]
  run kiln images --format json
  [[ "$output" == *'"localhost/busybox:latest"'* ]]
}

@test "import gives podman's image ID for the same tarball" {
  has_podman || skip "podman not installed"
  id=$(kiln import -q "$(busybox_tar)" busybox)
  pid=$(pm import -q "$(busybox_tar)" busybox)
  assert_same "$pid" "$id"
}

@test "gzip, zstd and stdin inputs give the same layer" {
  tar=$(busybox_tar)
  gzip -c "$tar" > "$BATS_TEST_TMPDIR/bb.tar.gz"
  zstd -q -c "$tar" > "$BATS_TEST_TMPDIR/bb.tar.zst" 2>/dev/null || skip "zstd tool missing"
  kiln import -q "$tar" plain >/dev/null
  kiln import -q "$BATS_TEST_TMPDIR/bb.tar.gz" gz >/dev/null
  kiln import -q "$BATS_TEST_TMPDIR/bb.tar.zst" zst >/dev/null
  kiln import -q - stdin < "$tar" >/dev/null
  layers=$(for n in plain gz zst stdin; do kiln inspect --format json $n | jq -r '.[0].RootFS.Layers[0]'; done | sort -u)
  [ "$(echo "$layers" | wc -l)" -eq 1 ]
}

@test "import --change and -m set the config and comment" {
  kiln import -q -m "my msg" --change 'CMD ["/bin/sh"]' --change 'ENV A=1 B=2' --change 'EXPOSE 8080' \
    --change 'WORKDIR /app' --change 'USER nobody' --change 'LABEL x=y' "$(busybox_tar)" changed >/dev/null
  run kiln inspect changed
  [ "$status" -eq 0 ]
  cfg=$(echo "$output" | jq -c '.[0].Config')
  assert_same '{"User":"nobody","ExposedPorts":{"8080/tcp":{}},"Env":["A=1","B=2"],"Cmd":["/bin/sh"],"WorkingDir":"/app","Labels":{"x":"y"}}' "$cfg"
  [ "$(echo "$output" | jq -r '.[0].Comment')" = "my msg" ]
}

@test "import errors: missing file, bad change, bad name, garbage — store unchanged" {
  run kiln import /nonexistent.tar x
  [ "$status" -eq 125 ]
  [[ "$output" == 'Error: error opening "/nonexistent.tar": open /nonexistent.tar: no such file or directory' ]]
  run kiln import --change 'FOO bar' "$(busybox_tar)" x
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: invalid change "FOO bar" - invalid instruction FOO' ]
  run kiln import "$(busybox_tar)" MyApp
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: normalizing name "MyApp": normalizing name "MyApp": repository name must be lowercase' ]
  head -c 3000 /dev/urandom > "$BATS_TEST_TMPDIR/garbage.tar"
  run kiln import "$BATS_TEST_TMPDIR/garbage.tar" x
  [ "$status" -eq 125 ]
  [[ "$output" == Error:* ]]
  run kiln images -q
  [ -z "$output" ]
}

@test "re-importing the same tarball reuses the layer" {
  kiln import -q "$(busybox_tar)" a >/dev/null
  kiln import -q "$(busybox_tar)" b >/dev/null
  [ "$(ls "$TEST_ROOT/root/snapshots" | grep -v '^tmp-' | wc -l)" -eq 1 ]
}

@test "import from a URL, and a clear error for a missing one" {
  command -v python3 >/dev/null || skip "python3 not installed"
  dir=$BATS_TEST_TMPDIR/www; mkdir -p "$dir"; cp "$(busybox_tar)" "$dir/bb.tar"
  serve_directory "$dir"
  port=$HTTP_PORT
  run kiln import -q "http://127.0.0.1:$port/bb.tar" fromurl
  run2_status=$status
  run kiln import "http://127.0.0.1:$port/nosuch.tar" missing
  kill "$HTTP_PID"
  [ "$run2_status" -eq 0 ]
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error: downloading http://127.0.0.1:$port/nosuch.tar"*"404"* ]]
  run kiln images --format '{{.Repository}}'
  [ "$output" = "localhost/fromurl" ]
}
