#!/usr/bin/env bats
# system check [--quick] [--repair] [--force] [--max]: finds damage, repairs only what is
# damaged, and never deletes a whole image.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  kiln import -q --change "ENV WHOLE=1" "$(busybox_tar)" localhost/whole >/dev/null
  mkdir -p "$BATS_TEST_TMPDIR/other"
  head -c 100000 /dev/urandom > "$BATS_TEST_TMPDIR/other/data"
  tar -C "$BATS_TEST_TMPDIR/other" -cf "$BATS_TEST_TMPDIR/other.tar" .
  kiln import -q "$BATS_TEST_TMPDIR/other.tar" localhost/victim >/dev/null
}

teardown() {
  kiln rm -a -f -t 0 >/dev/null 2>&1 || true
  SKIP_STORE_CHECK=1 cleanup_test_store
}

# The layer tar of the victim image (its only layer): blobs/sha256/<diffID>.
victim_layer_blob() {
  local diff
  diff=$(kiln inspect --format '{{index .RootFS.Layers 0}}' localhost/victim)
  echo "$TEST_ROOT/root/blobs/sha256/${diff#sha256:}"
}

@test "a whole store passes, with a summary of what was checked" {
  run -0 kiln system check
  [[ "$output" == "Checked 3 images, "*"no damage found" ]]
}

@test "a corrupt layer blob is found; --quick (sizes only) misses a same-size flip" {
  blob=$(victim_layer_blob)
  # Flip bytes in place: the size stays, the hash changes.
  printf 'XXXX' | dd of="$blob" bs=1 seek=2000 conv=notrunc status=none
  run -0 kiln system check --quick
  run -1 --separate-stderr kiln system check
  [[ "$output" == *"Damaged layer"*"1 error occurred:"* ]]
  [[ "$output" == *"is corrupt"* ]]
  [ "$stderr" = "Error: damage detected in local storage" ]
}

@test "--repair deletes the damaged image with its names and keeps every whole one" {
  whole_id=$(kiln inspect --format '{{.Id}}' localhost/whole)
  before=$(kiln save localhost/whole | sha256sum)
  victim_id=$(kiln inspect --format '{{.Id}}' localhost/victim)
  truncate -s 10 "$(victim_layer_blob)"
  run -0 kiln system check --repair
  [[ "$output" == *"Deleted damaged image: $victim_id"* ]]
  [[ "$output" != *"Deleted damaged image: $whole_id"* ]]
  run -1 kiln image exists localhost/victim
  run -0 kiln inspect localhost/whole
  [ "$(kiln save localhost/whole | sha256sum)" = "$before" ]
  run -0 kiln run --rm localhost/busybox true
  run -0 kiln system check
}

@test "a missing config blob damages the image; repair removes it" {
  config=$(kiln inspect --format '{{.Id}}' localhost/victim)
  rm "$TEST_ROOT/root/blobs/sha256/$config"
  run -1 kiln system check
  [[ "$output" == *"Damaged image $config"* ]]
  run -0 kiln system check -r
  run -0 kiln system check
  run -0 kiln images --format '{{.Repository}}'
  [[ "$output" != *victim* ]]
}

@test "an image used by a container is kept by --repair and removed with its container by --force" {
  cid=$(kiln create localhost/victim /data)
  truncate -s 10 "$(victim_layer_blob)"
  victim_id=$(kiln inspect --format '{{.Id}}' localhost/victim)
  run -1 --separate-stderr kiln system check --repair
  [[ "$output" == *"Kept damaged image $victim_id: a container uses it"* ]]
  [ "$stderr" = "Error: damage in local storage still present after repair attempt" ]
  run -0 kiln container exists "$cid"
  run -0 kiln system check --repair --force
  run -1 kiln container exists "$cid"
  run -1 kiln image exists localhost/victim
  run -0 kiln system check
}

@test "an unreferenced file is reported only past --max, and repair sweeps it" {
  echo junk > "$TEST_ROOT/root/blobs/sha256/$(printf 'junk' | sha256sum | cut -c1-64)"
  touch -d '2 days ago' "$TEST_ROOT/root/blobs/sha256/$(printf 'junk' | sha256sum | cut -c1-64)"
  run -0 kiln system check --max 72h
  run -1 kiln system check
  [[ "$output" == *"Damaged file"* ]]
  run -0 kiln system check --repair
  run -0 kiln system check
}

@test "bad flags: a clear error, exit 125, store unchanged" {
  run -125 --separate-stderr kiln system check --max forever
  [[ "$stderr" == Error:* ]]
  run -0 kiln system check
}
