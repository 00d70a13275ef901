#!/usr/bin/env bats
# Reproducible images: with --timestamp or SOURCE_DATE_EPOCH the image ID and manifest digest
# depend only on the inputs, not on the store, the context's path or mtimes, the caller's
# umask, TZ or LANG, --jobs, or when the build runs. (Root and rootless alike: 160-rootless.)
load helpers

setup() {
  setup_build_context
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox AS a
RUN echo x > /x && mkdir /d && touch /d/f
FROM localhost/busybox AS b
RUN echo y > /y
FROM localhost/busybox
COPY --from=a /x /x
COPY --from=b /y /y
COPY f.txt /f.txt
ADD g.txt /g/
WORKDIR /made/by/workdir
RUN mkdir -p /w && echo hi > /w/hi && cat /f.txt
CF
  echo f > "$CTX/f.txt"
  echo g > "$CTX/g.txt"
}

# A second runner: its own store with the same busybox image, and a copy of the context
# elsewhere with other mtimes ($1, default 2001-02-03).
second_runner() {
  STORE2=$BATS_TEST_TMPDIR/store2
  kiln --root "$STORE2/root" --runroot "$STORE2/run" import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  CTX2=$BATS_TEST_TMPDIR/elsewhere/context
  mkdir -p "$CTX2"
  cp -r "$CTX/." "$CTX2/"
  touch -d "${1:-2001-02-03 04:05:06}" "$CTX2"/*
}
k2() { kiln --root "$STORE2/root" --runroot "$STORE2/run" "$@"; }
id_and_digest() { "$@" inspect --format '{{.Id}} {{.Digest}}' repro; }

@test "reproducible: two runners, other dirs, mtimes, umask, TZ, LANG and --jobs give one image" {
  second_runner
  (umask 077; TZ=Asia/Tokyo LANG=C kiln build -q --timestamp 0 -t repro "$CTX") >/dev/null
  (umask 022; cd /; TZ=America/Denver LANG=de_DE.UTF-8 k2 build -q --jobs 1 --timestamp 0 -t repro "$CTX2") >/dev/null
  assert_same "$(id_and_digest kiln)" "$(id_and_digest k2)"
  # the clamp holds for files RUN wrote, in the layers themselves
  kiln build -q --timestamp 0 -o "type=tar,dest=$BATS_TEST_TMPDIR/out.tar" "$CTX" >/dev/null
  run -0 tar tvf "$BATS_TEST_TMPDIR/out.tar" --full-time w/hi
  [[ "$output" == *"1970-01-01 00:00:00 w/hi" ]]
}

@test "reproducible: SOURCE_DATE_EPOCH and --source-date-epoch clamp the times, files RUN writes included" {
  second_runner '2020-01-01 00:00:00'  # later than the epoch below: clamped on both runners
  SOURCE_DATE_EPOCH=1000000000 kiln build -q -t repro "$CTX" >/dev/null
  sleep 1
  k2 build -q --source-date-epoch 1000000000 -t repro "$CTX2" >/dev/null
  assert_same "$(id_and_digest kiln)" "$(id_and_digest k2)"
  run -0 kiln inspect --format '{{.Created.Unix}}' repro
  [ "$output" = 1000000000 ]
  SOURCE_DATE_EPOCH=1000000000 kiln build -q -o "type=tar,dest=$BATS_TEST_TMPDIR/out.tar" "$CTX" >/dev/null
  run -0 tar tvf "$BATS_TEST_TMPDIR/out.tar" --full-time --utc w/hi
  [[ "$output" == *"2001-09-09 01:46:40 w/hi" ]]
}

@test "reproducible: --timestamp sets older file times too (podman's), SOURCE_DATE_EPOCH keeps them" {
  touch -d '1990-01-01 00:00:00 UTC' "$CTX/f.txt"
  kiln build -q --timestamp 1000000000 -o "type=tar,dest=$BATS_TEST_TMPDIR/t.tar" "$CTX" >/dev/null
  run -0 tar tvf "$BATS_TEST_TMPDIR/t.tar" --full-time --utc f.txt
  [[ "$output" == *"2001-09-09 01:46:40 f.txt" ]]
  SOURCE_DATE_EPOCH=1000000000 kiln build -q -o "type=tar,dest=$BATS_TEST_TMPDIR/s.tar" "$CTX" >/dev/null
  run -0 tar tvf "$BATS_TEST_TMPDIR/s.tar" --full-time --utc f.txt
  [[ "$output" == *"1990-01-01 00:00:00 f.txt" ]]
  run -125 kiln build --source-date-epoch x "$CTX"
  [ "$output" = 'Error: invalid SOURCE_DATE_EPOCH "x"' ]
}

@test "reproducible: five uncached builds with parallel stages give the same image" {
  local first
  first=$(kiln build -q --no-cache --timestamp 0 "$CTX")
  for i in 2 3 4 5; do
    [ "$(kiln build -q --no-cache --timestamp 0 "$CTX")" = "$first" ]
  done
}
