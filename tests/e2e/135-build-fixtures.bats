#!/usr/bin/env bats
# kiln build where buildah's own fixtures (tests/bud/ of buildah v1.28.2, compared with
# podman 4.3.1 by tests/bud-compare.sh) showed kiln differing from podman: WORKDIR and
# VOLUME directories, ADD of an archive with --chown, COPY globs, ENV order, history text,
# a Containerfile that is only FROM scratch.
load helpers

setup() {
  setup_build_context
}


# Every layer's entries of an image, one "LAYER-INDEX PATH TYPE MODE UID:GID" line each.
layer_files() {
  rm -rf "$TEST_ROOT/oci"
  kiln save -q --format oci-dir -o "$TEST_ROOT/oci" "$1" >/dev/null
  python3 - "$TEST_ROOT/oci" <<'PY'
import json, os, sys, tarfile
d = sys.argv[1]
blob = lambda dg: os.path.join(d, "blobs", dg.replace(":", "/"))
m = json.load(open(blob(json.load(open(os.path.join(d, "index.json")))["manifests"][0]["digest"])))
for i, l in enumerate(m["layers"]):
    with tarfile.open(blob(l["digest"])) as t:
        for e in t:
            kind = "dir" if e.isdir() else "symlink" if e.issym() else "file"
            print(i, e.name.lstrip("./").rstrip("/"), kind, "%04o" % (e.mode & 0o7777), "%d:%d" % (e.uid, e.gid))
PY
}

history_of() { kiln history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' "$1"; }

@test "build fixtures: a Containerfile that is only FROM scratch commits an image of one empty layer" {
  printf 'FROM scratch\n' | containerfile
  run -0 kiln build -t empty "$CTX"
  [ "${lines[0]}" = "STEP 1/1: FROM scratch" ]
  [ "${lines[1]}" = "COMMIT empty" ]
  run -0 kiln inspect --format '{{json .RootFS.Layers}}' empty
  # the digest of an empty tar (1024 zero bytes), as podman's
  [ "$output" = '["sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]' ]
  run -0 kiln history --no-trunc --format '{{.CreatedBy}}' empty
  [ "$output" = "/bin/sh" ]
}

@test "build fixtures: WORKDIR makes its directory before a later COPY names it (FROM scratch)" {
  echo one > "$CTX/file1.txt"
  echo two > "$CTX/file2.txt"
  containerfile <<'CF'
FROM scratch
WORKDIR /subdir
COPY file1.txt /
COPY file2.txt /subdir
CF
  run -0 kiln build -q -t wd "$CTX"
  run -0 layer_files wd
  echo "$output"
  grep -qx '0 subdir dir 0755 0:0' <<<"$output"
  grep -qx '1 subdir/file2.txt file 0644 0:0' <<<"$output"
}

@test "build fixtures: USER then WORKDIR makes the directory owned by that user" {
  containerfile <<'CF'
FROM localhost/busybox
USER nobody
WORKDIR /home/nobody/public
RUN stat -c '%u:%g %a' $PWD && touch foobar
CF
  run -0 kiln build -t wduser "$CTX"
  echo "$output"
  grep -qx '65534:65534 755' <<<"$output"
  run -0 layer_files wduser
  grep -qx '1 home/nobody/public/foobar file 0644 65534:65534' <<<"$output"
}

@test "build fixtures: WORKDIR through a symlink to a missing directory creates the target" {
  containerfile <<'CF'
FROM localhost/busybox
RUN ln -sf /var/lib/tempest /tempest
WORKDIR /tempest
RUN touch here
CF
  run -0 kiln build -q -t wdlink "$CTX"
  run -0 kiln run --rm wdlink ls /var/lib/tempest
  [ "$output" = "here" ]
}

@test "build fixtures: VOLUME makes its directory and discards later RUN writes into it; COPY writes stay" {
  echo kept > "$CTX/kept.txt"
  containerfile <<'CF'
FROM localhost/busybox
VOLUME /vol/subvol
RUN dd if=/dev/zero bs=512 count=1 of=/vol/subvol/gone && touch /outside
COPY kept.txt /vol/subvol/
RUN ls /vol/subvol > /listing && echo more >> /vol/subvol/kept.txt
CF
  run -0 kiln build -q -t vol "$CTX"
  run -0 kiln run --rm vol sh -c 'cat /listing; ls /vol/subvol; cat /vol/subvol/kept.txt; ls /outside'
  echo "$output"
  [ "$output" = "$(printf 'kept.txt\nkept.txt\nkept\n/outside')" ]
}

@test "build fixtures: VOLUME through a symlink makes the symlink's target" {
  containerfile <<'CF'
FROM localhost/busybox
RUN mkdir -p /data && ln -s /data/log /test-log
VOLUME [ "/test-log/test" ]
RUN echo hello > /data/log/blah.txt && ls -d /data/log/test
CF
  run -0 kiln build -q -t vollink "$CTX"
  run -0 kiln run --rm vollink cat /data/log/blah.txt
  [ "$output" = "hello" ]
}

@test "build fixtures: ADD of an archive with --chown keeps the archive's owners" {
  mkdir -p "$TEST_ROOT/tree/d"
  echo x > "$TEST_ROOT/tree/d/f"
  tar -C "$TEST_ROOT/tree" --numeric-owner --owner=2510 --group=2516 -cf "$CTX/t.tar" d
  containerfile <<'CF'
FROM scratch
ADD --chown=1:1 t.tar /new/
CF
  run -0 kiln build -q -t addchown "$CTX"
  run -0 layer_files addchown
  echo "$output"
  grep -qx '0 new dir 0755 1:1' <<<"$output"
  grep -qx '0 new/d/f file 0644 2510:2516' <<<"$output"
}

@test "build fixtures: a COPY glob that matches nothing is skipped when another matches" {
  touch "$CTX/test1.txt" "$CTX/test2.txt"
  printf 'FROM scratch\nCOPY *foo *.txt /testdir/\n' | containerfile
  run -0 kiln build -q -t globs "$CTX"
  run -0 layer_files globs
  grep -qx '0 testdir/test1.txt file 0644 0:0' <<<"$output"
  printf 'FROM scratch\nCOPY *foo *bar /testdir/\n' | containerfile
  run -125 kiln build "$CTX"
  [ "${lines[-1]}" = "Error: building at STEP \"COPY *foo *bar /testdir/\": checking on sources under \"$CTX\": Rel: can't make  relative to $CTX; copier: stat: [\"/*foo\" \"/*bar\"]: no such file or directory" ]
}

@test "build fixtures: ENV in a stage extending another moves the variable last, as buildah commits it" {
  containerfile <<'CF'
FROM localhost/busybox AS builder
ENV A=1
ENV B=2 C=3
FROM builder
ENV A=1
CF
  run -0 kiln build -q -t envorder "$CTX"
  run -0 kiln inspect --format '{{json .Config.Env}}' envorder
  [ "$output" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","B=2","C=3","A=1"]' ]
}

@test "build fixtures: history created_by as buildah writes it (ARG names, RUN as written)" {
  printf 'RUN --mount=type=tmpfs,target=/t true \nARG V=1\nARG W\nRUN echo $V\n' > "$TEST_ROOT/tail"
  { echo "FROM localhost/busybox"; cat "$TEST_ROOT/tail"; } | containerfile
  run -0 kiln build -q -t hist --build-arg W=x "$CTX"
  run -0 history_of hist
  echo "$output"
  [ "${lines[0]%|*}" = '|2 V=1 W=x /bin/sh -c echo $V' ]
  [ "${lines[1]%|*}" = '/bin/sh -c #(nop) ARG V W' ]
  [ "${lines[2]%|*}" = '/bin/sh -c #(nop) ARG V' ]
  [ "${lines[3]%|*}" = '/bin/sh -c --mount=type=tmpfs,target=/t true ' ]
}

@test "build fixtures: RUN sees /run/.containerenv; it stays out of the layer" {
  containerfile <<'CF'
FROM localhost/busybox
RUN test -f /run/.containerenv && touch /run/hello
CF
  run -0 kiln build -q -t runenv "$CTX"
  run -0 layer_files runenv
  echo "$output"
  grep -qx '1 run/hello file 0644 0:0' <<<"$output"
  ! grep -q containerenv <<<"$output"
}

@test "build fixtures: a history comment names a cached parent by its first name" {
  printf 'FROM localhost/busybox\nRUN touch /a\n' | containerfile
  run -0 kiln build -q -t first "$CTX"
  printf 'FROM localhost/busybox\nRUN touch /a\nRUN touch /b\n' | containerfile
  run -0 kiln build -q -t second "$CTX"
  run -0 history_of second
  [ "${lines[0]}" = "/bin/sh -c touch /b|FROM localhost/first:latest" ]
}

@test "build fixtures: an empty RUN runs the shell without a script and fails as podman's does" {
  printf 'FROM localhost/busybox\nRUN\n' | containerfile
  run -2 kiln build "$CTX"
  grep -q -- "-c requires an argument" <<<"$output"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN": while running runtime: exit status 2' ]
}

@test "build fixtures: RUN --mount=type=cache,from=STAGE mounts that stage's directory" {
  mkdir -p "$CTX/sub"
  echo hello2 > "$CTX/sub/hello2"
  containerfile <<'CF'
FROM localhost/busybox AS builder
COPY sub /subdir/
FROM localhost/busybox
RUN --mount=type=cache,id=2,source=/subdir,from=builder,target=/test cat /test/hello2
RUN --mount=type=cache,from=nosuch,target=/test true
CF
  run -125 kiln build "$CTX"
  grep -qx hello2 <<<"$output"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN --mount=type=cache,from=nosuch,target=/test true": type=cache,from=nosuch,target=/test from=nosuch: no stage or image found with that name' ]
  printf 'FROM localhost/busybox\nRUN --mount=type=cache,from=localhost/busybox,target=/test true\n' | containerfile
  run -125 kiln build "$CTX"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN --mount=type=cache,from=localhost/busybox,target=/test true": no stage found with name localhost/busybox' ]
  printf 'FROM localhost/busybox\nRUN --mount=type=bind,source=.,from=,target=/test true\n' | containerfile
  run -125 kiln build "$CTX"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN --mount=type=bind,source=.,from=,target=/test true": unable to resolve argument for `from=`: from points to an empty value' ]
}

@test "build fixtures: Dockerfile.test.dockerignore beside -f Dockerfile.test; a COPY it empties fails in buildah's words" {
  touch "$CTX/test1.txt" "$CTX/test2.txt"
  printf 'FROM scratch\nCOPY test2.txt /\nCOPY test1.txt /\n' > "$CTX/Dockerfile.test"
  printf 'test1.txt\n' > "$CTX/Dockerfile.test.dockerignore"
  run -125 kiln build -f "$CTX/Dockerfile.test" "$CTX"
  [ "${lines[-1]}" = "Error: building at STEP \"COPY test1.txt /\": no items matching glob \"$CTX/test1.txt\" copied (1 filtered out using $CTX/Dockerfile.test.dockerignore): no such file or directory" ]
}

@test "build fixtures: buildah's default PATH comes after a base image's own variables" {
  kiln import -q --change 'ENV A=1' "$(busybox_tar)" localhost/withenv >/dev/null
  printf 'FROM localhost/withenv\nENV B=2\n' | containerfile
  run -0 kiln build -q -t envpath "$CTX"
  run -0 kiln inspect --format '{{json .Config.Env}}' envpath
  [ "$output" = '["A=1","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","B=2"]' ]
}

@test "build fixtures: COPY --chown with an empty user part fails as podman's does" {
  touch "$CTX/f"
  printf 'FROM localhost/busybox\nCOPY --chown=${BOGUS}:${BOGUS} f /tmp\n' | containerfile
  run -125 kiln build "$CTX"
  [ "${lines[-1]}" = 'Error: building at STEP "COPY --chown=${BOGUS}:${BOGUS} f /tmp": looking up UID/GID for ":": can'"'"'t find uid for user :' ]
}

@test "build fixtures: VOLUME discards RUN writes with an OCI runtime too" {
  command -v runc >/dev/null || skip "no runc"
  containerfile <<'CF'
FROM localhost/busybox
VOLUME /vol
RUN touch /vol/gone /kept
RUN ls -A /vol > /listing
CF
  run -0 kiln build -q --isolation oci -t volruntime "$CTX"
  run -0 kiln run --rm volruntime sh -c 'ls /kept && wc -c < /listing'
  [ "$output" = "$(printf '/kept\n0')" ]
}

@test "build fixtures: SHELL changes RUN only for --format docker, as podman (OCI: ignored, with its warning)" {
  printf 'FROM localhost/busybox\nSHELL ["/bin/nosuchshell", "-c"]\nRUN echo "ran by $0"\n' | containerfile
  run -0 kiln build "$CTX"
  grep -qx 'ran by /bin/sh' <<<"$output"
  grep -q 'SHELL is not supported for OCI image format' <<<"$output"
  run -127 kiln build --format docker "$CTX"
}
