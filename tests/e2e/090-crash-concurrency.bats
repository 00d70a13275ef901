#!/usr/bin/env bats
# The store survives kill -9 at any moment, and many kiln processes at once.
load helpers

setup() { setup_store; }

big_tar() {
  local dir=$BATS_TEST_TMPDIR/big
  mkdir -p "$dir"
  head -c 64M /dev/urandom > "$dir/blob"
  for i in $(seq 1 300); do echo "file $i" > "$dir/f$i"; done
  tar -C "$dir" -cf "$BATS_TEST_TMPDIR/big.tar" .
  echo "$BATS_TEST_TMPDIR/big.tar"
}

@test "kill -9 during import leaves a store that lists, prunes and re-imports cleanly" {
  tar=$(big_tar)
  for i in $(seq 1 8); do
    # The binary itself, not the kiln() function: kill must hit kiln, not a subshell.
    "$KILN_BIN" --root "$TEST_ROOT/root" --runroot "$TEST_ROOT/run" import -q "$tar" "big:$i" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    run kiln images --format json
    [ "$status" -eq 0 ]
    # Whatever is listed is whole: every listed image inspects and has its layer.
    for id in $(kiln images -q); do
      kiln inspect "$id" >/dev/null
    done
  done
  run kiln image prune -a -f
  [ "$status" -eq 0 ]
  [ -z "$(ls "$TEST_ROOT/root/ingest")" ]
  [ -z "$(ls "$TEST_ROOT/root/snapshots")" ]
  [ -z "$(ls "$TEST_ROOT/root/blobs/sha256")" ]
  run kiln import -q "$tar" big:again
  [ "$status" -eq 0 ]
  run kiln images --noheading
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" == localhost/big* ]]
}

@test "parallel imports, tags and listings" {
  tar=$(busybox_tar)
  # Six commands start together on a fresh store: each must wait for the others (opening
  # the new database included), never fail with `database is locked`.
  local pids=()
  for i in $(seq 1 6); do
    ( kiln import -q --change "ENV N=$i" "$tar" "par:$i" >/dev/null && kiln tag "par:$i" "alias:$i" && kiln images -q >/dev/null ) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  run kiln images --noheading
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 12 ]
  run kiln rmi -a
  [ "$status" -eq 0 ]
  run kiln images -q
  [ -z "$output" ]
}
