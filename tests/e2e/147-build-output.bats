#!/usr/bin/env bats
# build -o/--output: the final image's files as a directory or a tar, besides the image.
load helpers

setup() {
  setup_build_context
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox AS b
RUN mkdir -p /out/sub && echo hi > /out/a && echo s > /out/sub/s && echo gone > /out/g
RUN rm /out/g
FROM scratch
COPY --from=b /out /
CF
}

@test "build -o DIR and type=local: the final stage's files, the image built too" {
  run -0 kiln build -q -t withtag -o "$BATS_TEST_TMPDIR/o1" "$CTX"
  [ "$(cat "$BATS_TEST_TMPDIR/o1/a" "$BATS_TEST_TMPDIR/o1/sub/s")" = $'hi\ns' ]
  [ ! -e "$BATS_TEST_TMPDIR/o1/g" ]
  run -0 kiln image exists withtag
  run -0 kiln build -q -o "type=local,dest=$BATS_TEST_TMPDIR/o2" "$CTX"
  run -0 diff -r "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/o2"
}

@test "build -o type=tar and -o -: an archive of the files; with -, stdout holds only the archive" {
  run -0 kiln build -q -o "type=tar,dest=$BATS_TEST_TMPDIR/o.tar" "$CTX"
  run -0 tar tf "$BATS_TEST_TMPDIR/o.tar"
  [ "$(sort <<<"$output")" = $'a\nsub/\nsub/s' ]
  kiln build -o - "$CTX" 2>/dev/null > "$BATS_TEST_TMPDIR/s.tar"
  run -0 tar xOf "$BATS_TEST_TMPDIR/s.tar" sub/s
  [ "$output" = s ]
}

@test "build -o: buildah's option errors, before anything is built" {
  run -125 kiln build -o type=zip,dest=x "$CTX"
  [ "$output" = 'Error: invalid type "zip" selected for build output options "type=zip,dest=x"' ]
  run -125 kiln build -o type=local,dest=- "$CTX"
  [ "$output" = 'Error: invalid build output option "type=local,dest=-", type=local and dest=- is not supported' ]
  run -125 kiln build -o dest=x,foo=y "$CTX"
  [ "$output" = 'Error: unrecognized key "foo" in build output option: "dest=x,foo=y"' ]
  run -125 kiln build -o type=tar,type=tar "$CTX"
  [ "$output" = 'Error: duplicate "type" not supported' ]
  run -125 kiln build -o type=tar,x "$CTX"
  [ "$output" = 'Error: invalid build output options "type=tar,x", expected format key=value' ]
  run -125 kiln build -o type=tar,dest= "$CTX"
  [ "$output" = 'Error: invalid build output option "type=tar,dest=", accepted keys are type and dest must be present' ]
  run -0 kiln images -a -q
  [ -z "$output" ] || [ "$(wc -l <<<"$output")" = 1 ]  # busybox alone
}

@test "build -o: the same files as podman's" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  pm build -q -o "$BATS_TEST_TMPDIR/pm" "$CTX" >/dev/null
  kiln build -q -o "$BATS_TEST_TMPDIR/k" "$CTX" >/dev/null
  run -0 diff -r "$BATS_TEST_TMPDIR/pm" "$BATS_TEST_TMPDIR/k"
  pm build -q -o "type=tar,dest=$BATS_TEST_TMPDIR/pm.tar" "$CTX" >/dev/null
  kiln build -q -o "type=tar,dest=$BATS_TEST_TMPDIR/k.tar" "$CTX" >/dev/null
  # directory entries: "sub" in podman's archive, "sub/" in kiln's (libarchive's ustar form)
  assert_same "$(tar tf "$BATS_TEST_TMPDIR/pm.tar" | sed 's|/$||' | sort)" "$(tar tf "$BATS_TEST_TMPDIR/k.tar" | sed 's|/$||' | sort)"
}
