#!/usr/bin/env bats
# kiln save / load: the four formats, multi-image archives, stdin/stdout, compressed input,
# reloads, bad and hostile archives, and interop with podman both ways.
load helpers

setup() { setup_store; }

# A two-layer docker-archive made by hand (busybox + a small layer), named localhost/two:1.
two_layer_archive() {
  local out=$BATS_TEST_TMPDIR/two.tar
  python3 - "$(busybox_tar)" "$out" <<'PY'
import hashlib, io, json, sys, tarfile
base = open(sys.argv[1], 'rb').read()
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as t:
    data = b'hello from layer two\n'
    ti = tarfile.TarInfo('hello.txt'); ti.size = len(data); ti.mode = 0o644; ti.mtime = 0
    t.addfile(ti, io.BytesIO(data))
top = buf.getvalue()
d1, d2 = hashlib.sha256(base).hexdigest(), hashlib.sha256(top).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
    "config": {"Cmd": ["cat", "/hello.txt"], "Env": ["A=x&y"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d1, "sha256:" + d2]},
    "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "base"},
                {"created": "2024-01-01T00:00:00Z", "created_by": "COPY hello.txt"}]},
    separators=(',', ':')).encode()
cid = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": cid + ".json", "RepoTags": ["localhost/two:1"],
                        "Layers": [d1 + ".tar", d2 + ".tar"]}]).encode()
with tarfile.open(sys.argv[2], 'w', format=tarfile.USTAR_FORMAT) as t:
    for name, body in [(d1 + ".tar", base), (d2 + ".tar", top), (cid + ".json", config), ("manifest.json", manifest)]:
        ti = tarfile.TarInfo(name); ti.size = len(body); ti.mode = 0o444
        t.addfile(ti, io.BytesIO(body))
PY
  echo "$out"
}

# What a test compares before and after a failed load: names, blobs, snapshots, ingest.
store_state() {
  kiln images -a --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort
  ls "$TEST_ROOT/root/blobs/sha256" | sort
  ls "$TEST_ROOT/root/snapshots" | grep -v '^tmp-' | sort
  ls "$TEST_ROOT/root/ingest"
}

inspect_summary() { # the parts of inspect that must survive a round trip
  "$@" --format '{{.Id}} {{.RepoTags}} {{.RootFS.Layers}} {{.Config.Cmd}} {{.Config.Env}} {{.Created}}'
}

image_summary() { # what two tools must agree on for the same image, whatever its name and ID
  "$@" --format '{{.RootFS.Layers}} {{.Config.Cmd}} {{.Config.Env}} {{.Created}} {{.Architecture}} {{.Os}}'
}

teardown() { cleanup_test_store; }

@test "save: docker-archive by default, podman's entries, progress on stderr, deterministic" {
  import_busybox >/dev/null
  run --separate-stderr kiln save -o "$BATS_TEST_TMPDIR/a.tar" busybox
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [[ "$stderr" == *"Copying blob sha256:"* ]]
  [[ "$stderr" == *"Copying config sha256:"* ]]
  [[ "$stderr" == *"Writing manifest to image destination"* ]]
  [[ "$stderr" == *"Storing signatures"* ]]
  run tar tvf "$BATS_TEST_TMPDIR/a.tar"
  [[ "${lines[0]}" =~ ^-r--r--r--\ 0/0\ .*1970-01-01\ 00:00\ [0-9a-f]{64}\.tar$ ]]
  [[ "$output" == *"/layer.tar -> ../"* ]]
  [[ "${lines[-2]}" == *" manifest.json" ]]
  [[ "${lines[-1]}" == *" repositories" ]]
  [ "$(tar xOf "$BATS_TEST_TMPDIR/a.tar" manifest.json | jq -r '.[0].RepoTags[0]')" = localhost/busybox:latest ]
  kiln save -q -o "$BATS_TEST_TMPDIR/b.tar" busybox
  cmp "$BATS_TEST_TMPDIR/a.tar" "$BATS_TEST_TMPDIR/b.tar"
  kiln save busybox > "$BATS_TEST_TMPDIR/c.tar"
  cmp "$BATS_TEST_TMPDIR/a.tar" "$BATS_TEST_TMPDIR/c.tar"
  run --separate-stderr kiln save -q -o "$BATS_TEST_TMPDIR/d.tar" busybox
  [ -z "$stderr" ]
}

@test "save: docker-archive is byte-identical to podman's" {
  has_podman || skip "podman not installed"
  import_busybox >/dev/null
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  kiln save -q -o "$BATS_TEST_TMPDIR/k.tar" busybox
  pm save -q -o "$BATS_TEST_TMPDIR/p.tar" busybox
  cmp "$BATS_TEST_TMPDIR/k.tar" "$BATS_TEST_TMPDIR/p.tar"
}

@test "save/load round trip in every format keeps the image" {
  kiln load -q -i "$(two_layer_archive)" >/dev/null
  want=$(inspect_summary kiln inspect localhost/two:1)
  for fmt in docker-archive oci-archive oci-dir docker-dir; do
    out=$BATS_TEST_TMPDIR/out-$fmt
    kiln save -q --format $fmt -o "$out" localhost/two:1
    kiln rmi -f localhost/two:1 >/dev/null
    kiln image prune -a -f >/dev/null
    run kiln load -q -i "$out"
    [ "$status" -eq 0 ]
    if [ $fmt = docker-dir ]; then
      # docker-dir holds no name (as with podman): the image comes back as <none>
      [[ "$output" =~ ^Loaded\ image:\ sha256:[0-9a-f]{64}$ ]]
      kiln tag "${output#Loaded image: }" localhost/two:1
    else
      [ "$output" = "Loaded image: localhost/two:1" ]
    fi
    assert_same "$want" "$(inspect_summary kiln inspect localhost/two:1)"
  done
  # layers: oci-* gzip by default, uncompressed with --uncompressed; docker-dir gzip with --compress
  [ "$(jq -r '.layers[0].mediaType' "$BATS_TEST_TMPDIR/out-oci-dir/blobs/sha256/$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/out-oci-dir/index.json" | cut -d: -f2)")" = application/vnd.oci.image.layer.v1.tar+gzip ]
  [ "$(cat "$BATS_TEST_TMPDIR/out-docker-dir/version")" = "Directory Transport Version: 1.1" ]
  [ "$(tar xOf "$BATS_TEST_TMPDIR/out-oci-archive" oci-layout)" = '{"imageLayoutVersion": "1.0.0"}' ]
  kiln save -q --format oci-dir --uncompressed -o "$BATS_TEST_TMPDIR/u" localhost/two:1
  m=$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/u/index.json" | cut -d: -f2)
  [ "$(jq -r '.layers[0].mediaType' "$BATS_TEST_TMPDIR/u/blobs/sha256/$m")" = application/vnd.oci.image.layer.v1.tar ]
  kiln save -q --format docker-dir --compress -o "$BATS_TEST_TMPDIR/dc" localhost/two:1
  [ "$(jq -r '.layers[0].mediaType' "$BATS_TEST_TMPDIR/dc/manifest.json")" = application/vnd.docker.image.rootfs.diff.tar.gzip ]
  # oci-archive is deterministic too
  kiln save -q --format oci-archive -o "$BATS_TEST_TMPDIR/o2" localhost/two:1
  cmp "$BATS_TEST_TMPDIR/out-oci-archive" "$BATS_TEST_TMPDIR/o2"
}

@test "multi-image archive with -m; extra arguments without -m are tags" {
  import_busybox >/dev/null
  kiln load -q -i "$(two_layer_archive)" >/dev/null
  kiln tag localhost/two:1 quay.io/x/two:2
  kiln save -q -m -o "$BATS_TEST_TMPDIR/m.tar" localhost/two:1 busybox quay.io/x/two:2
  [ "$(tar xOf "$BATS_TEST_TMPDIR/m.tar" manifest.json | jq -c '[.[].RepoTags]')" = '[["localhost/two:1","quay.io/x/two:2"],["localhost/busybox:latest"]]' ]
  # the busybox layer is in the archive once
  [ "$(tar tf "$BATS_TEST_TMPDIR/m.tar" | grep -c '^[0-9a-f]*\.tar$')" -eq 2 ]
  kiln rmi -a -f >/dev/null
  run kiln load -q -i "$BATS_TEST_TMPDIR/m.tar"
  [ "$status" -eq 0 ]
  assert_same "Loaded image: localhost/two:1
Loaded image: quay.io/x/two:2
Loaded image: localhost/busybox:latest" "$output"
  kiln save -q -o "$BATS_TEST_TMPDIR/t.tar" busybox extra:1 quay.io/y/z:2
  [ "$(tar xOf "$BATS_TEST_TMPDIR/t.tar" manifest.json | jq -c '.[0].RepoTags')" = '["localhost/extra:1","quay.io/y/z:2","localhost/busybox:latest"]' ]
}

@test "save errors are podman's" {
  import_busybox >/dev/null
  run kiln save -m --format oci-archive -o "$BATS_TEST_TMPDIR/x" busybox busybox
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: unsupported format "oci-archive" for saving multiple images (only docker-archive)' ]
  kiln save -q -o "$BATS_TEST_TMPDIR/e.tar" busybox
  run kiln save -o "$BATS_TEST_TMPDIR/e.tar" busybox
  [ "$status" -eq 125 ]
  [ "$output" = "Error: docker-archive doesn't support modifying existing images" ]
  run -125 kiln save -o /nonexistent/dir/x.tar busybox
  [ "$output" = 'Error: opening file "/nonexistent/dir/x.tar": open /nonexistent/dir/x.tar: no such file or directory' ]
  run kiln save --format bogus -o "$BATS_TEST_TMPDIR/y" busybox
  [ "$status" -eq 125 ]
  [ "$output" = "Error: format value must be one of oci-dir oci-archive docker-dir docker-archive" ]
  run kiln save -o "$BATS_TEST_TMPDIR/n.tar" nosuch
  [ "$status" -eq 125 ]
  [ "$output" = "Error: nosuch: image not known" ]
  [ ! -e "$BATS_TEST_TMPDIR/n.tar" ]
  run kiln save --compress -o "$BATS_TEST_TMPDIR/z.tar" busybox
  [ "$output" = "Error: --compress can only be set when --format is 'docker-dir'" ]
  mkdir -p "$BATS_TEST_TMPDIR/important" && touch "$BATS_TEST_TMPDIR/important/data"
  run kiln save --format docker-dir -o "$BATS_TEST_TMPDIR/important" busybox
  [ "$status" -eq 125 ]
  [[ "$output" == *"not a containers image directory, don't want to overwrite important data" ]]
  [ -e "$BATS_TEST_TMPDIR/important/data" ]
  run kiln save
  [ "$output" = "Error: need at least 1 argument" ]
  if command -v script >/dev/null; then
    run script -qec "$KILN_BIN --root $TEST_ROOT/root --runroot $TEST_ROOT/run save busybox" /dev/null
    [[ "$output" == *"Error: refusing to save to terminal. Use -o flag or redirect"* ]]
    run script -qec "$KILN_BIN --root $TEST_ROOT/root --runroot $TEST_ROOT/run load" /dev/null
    [[ "$output" == *"Error: cannot read from terminal, use command-line redirection or the --input flag"* ]]
  fi
}

@test "load from stdin, compressed with gzip, zstd, xz and bzip2, and a pipe from save" {
  import_busybox >/dev/null
  kiln save -q -o "$BATS_TEST_TMPDIR/a.tar" busybox
  kiln rmi busybox >/dev/null
  run kiln load -q < "$BATS_TEST_TMPDIR/a.tar"
  [ "$output" = "Loaded image: localhost/busybox:latest" ]
  for z in gzip zstd xz bzip2; do
    command -v $z >/dev/null || continue
    $z -c < "$BATS_TEST_TMPDIR/a.tar" > "$BATS_TEST_TMPDIR/a.tar.$z"
    kiln rmi -a -f >/dev/null
    run kiln load -q -i "$BATS_TEST_TMPDIR/a.tar.$z"
    [ "$status" -eq 0 ]
    [ "$output" = "Loaded image: localhost/busybox:latest" ]
    cat "$BATS_TEST_TMPDIR/a.tar.$z" | kiln load -q >/dev/null
  done
  # save | gzip | load, in one pipeline
  kiln save busybox | gzip -1 | kiln load -q
  kiln save --format oci-archive busybox | zstd -q | kiln load -q
}

@test "docker-archive names are normalised as podman does (short names under localhost/)" {
  python3 - "$(two_layer_archive)" "$BATS_TEST_TMPDIR/names.tar" <<'PY'
import io, json, sys, tarfile
src = tarfile.open(sys.argv[1])
with tarfile.open(sys.argv[2], 'w') as t:
    for m in src.getmembers():
        body = src.extractfile(m).read()
        if m.name == 'manifest.json':
            j = json.loads(body)
            j[0]['RepoTags'] = ["busybox:latest", "docker.io/library/alpine:3", "quay.io/a/b:1", "ns/app:2"]
            body = json.dumps(j).encode()
        ti = tarfile.TarInfo(m.name); ti.size = len(body); t.addfile(ti, io.BytesIO(body))
PY
  run kiln load -q -i "$BATS_TEST_TMPDIR/names.tar"
  [ "$status" -eq 0 ]
  assert_same "Loaded image: localhost/busybox:latest
Loaded image: docker.io/library/alpine:3
Loaded image: quay.io/a/b:1
Loaded image: localhost/ns/app:2" "$output"
  if has_podman; then
    assert_same "$output" "$(pm load -q -i "$BATS_TEST_TMPDIR/names.tar")"
  fi
}

@test "a multi-platform OCI index loads this machine's image under the outer name" {
  import_busybox >/dev/null
  kiln save -q --format oci-archive -o "$BATS_TEST_TMPDIR/o.tar" busybox
  python3 - "$BATS_TEST_TMPDIR/o.tar" "$BATS_TEST_TMPDIR/multi.tar" "$(uname -m)" <<'PY'
import hashlib, io, json, sys, tarfile
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(sys.argv[3], sys.argv[3])
src = tarfile.open(sys.argv[1])
files = {m.name: (m, src.extractfile(m).read() if m.isfile() else b'') for m in src.getmembers()}
index = json.loads(files['index.json'][1])
desc = dict(index['manifests'][0]); desc.pop('annotations')
desc['platform'] = {"os": "linux", "architecture": arch}
other = {"mediaType": desc['mediaType'], "digest": "sha256:" + "0" * 64, "size": 10,
         "platform": {"os": "linux", "architecture": "s390x" if arch != "s390x" else "arm64"}}
inner = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [other, desc]}).encode()
d = hashlib.sha256(inner).hexdigest()
outer = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
         "digest": "sha256:" + d, "size": len(inner),
         "annotations": {"org.opencontainers.image.ref.name": "localhost/multi:1"}}]}
with tarfile.open(sys.argv[2], 'w') as t:
    for name, (m, body) in files.items():
        if name == 'index.json': continue
        ti = tarfile.TarInfo(name); ti.type = m.type; ti.size = len(body)
        t.addfile(ti, io.BytesIO(body) if m.isfile() else None)
    for name, body in [("blobs/sha256/" + d, inner), ("index.json", json.dumps(outer).encode())]:
        ti = tarfile.TarInfo(name); ti.size = len(body); t.addfile(ti, io.BytesIO(body))
PY
  run kiln load -q -i "$BATS_TEST_TMPDIR/multi.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: localhost/multi:1" ]
  [ "$(kiln images -q | wc -l)" -eq 1 ]
}

@test "an image without a name loads as sha256:ID and lists as <none>" {
  id=$(import_busybox)
  kiln save -q -o "$BATS_TEST_TMPDIR/id.tar" "${id#sha256:}"
  [ "$(tar xOf "$BATS_TEST_TMPDIR/id.tar" manifest.json | jq -c '.[0].RepoTags')" = '[]' ]
  kiln rmi -a -f >/dev/null
  run kiln load -q -i "$BATS_TEST_TMPDIR/id.tar"
  [ "$output" = "Loaded image: $id" ]
  [ "$(kiln images --format '{{.Repository}}:{{.Tag}}')" = "<none>:<none>" ]
}

@test "reloading an image that exists stores nothing again" {
  kiln load -q -i "$(two_layer_archive)" >/dev/null
  before=$(store_state)
  run --separate-stderr kiln load -i "$BATS_TEST_TMPDIR/two.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: localhost/two:1" ]
  [[ "$stderr" == *"Getting image source signatures"* ]]
  assert_same "$before" "$(store_state)"
  # and a reload adds a new name to the existing image
  kiln tag localhost/two:1 other:1 && kiln untag localhost/two:1 localhost/two:1
  kiln load -q -i "$BATS_TEST_TMPDIR/two.tar" >/dev/null
  [ "$(kiln images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" = "localhost/other:1 localhost/two:1 " ]
}

@test "truncated, corrupted and garbage archives fail clearly and leave the store as it was" {
  import_busybox >/dev/null
  tar=$(two_layer_archive)
  before=$(store_state)
  head -c 1500000 "$tar" > "$BATS_TEST_TMPDIR/trunc.tar"
  run kiln load -i "$BATS_TEST_TMPDIR/trunc.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"unexpected EOF"* ]]
  assert_same "$before" "$(store_state)"
  # one byte changed inside the busybox layer: its digest no longer matches the config
  cp "$tar" "$BATS_TEST_TMPDIR/bad.tar"
  printf 'X' | dd of="$BATS_TEST_TMPDIR/bad.tar" bs=1 seek=700000 conv=notrunc status=none
  run kiln load -i "$BATS_TEST_TMPDIR/bad.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"digest mismatch: expected sha256:"*", got sha256:"* ]]
  assert_same "$before" "$(store_state)"
  # the same in the top layer, found after the base layer was stored: that one goes again
  kiln rmi -a -f >/dev/null && kiln image prune -a -f >/dev/null
  before=$(store_state)
  cp "$tar" "$BATS_TEST_TMPDIR/bad2.tar"
  python3 -c "
import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
i = b.find(b'hello from layer two'); b[i] ^= 1; open(p, 'wb').write(b)" "$BATS_TEST_TMPDIR/bad2.tar"
  run kiln load -i "$BATS_TEST_TMPDIR/bad2.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"digest mismatch: expected sha256:"*", got sha256:"* ]]
  assert_same "$before" "$(store_state)"
  import_busybox >/dev/null
  before=$(store_state)
  head -c 3000 /dev/urandom > "$BATS_TEST_TMPDIR/garbage"
  run kiln load -i "$BATS_TEST_TMPDIR/garbage"
  [ "$status" -eq 125 ]
  [[ "${lines[0]}" == "Error: payload does not match any of the supported image formats:" ]]
  run kiln load < /dev/null
  [ "$status" -eq 125 ]
  [[ "${lines[0]}" == "Error: payload does not match any of the supported image formats:" ]]
  gzip -c "$tar" | head -c 200000 > "$BATS_TEST_TMPDIR/trunc.tar.gz"
  run kiln load -i "$BATS_TEST_TMPDIR/trunc.tar.gz"
  [ "$status" -eq 125 ]
  [[ "$output" == *"unexpected EOF"* ]]
  run kiln load -i /nonexistent
  [ "$output" = "Error: stat /nonexistent: no such file or directory" ]
  assert_same "$before" "$(store_state)"
}

@test "hostile archives: .., absolute names, symlinks and hard links out are refused" {
  victim=$BATS_TEST_TMPDIR/victim
  mkdir -p "$victim"
  for kind in dotdot absolute symlink hardlink; do
    python3 - "$kind" "$BATS_TEST_TMPDIR/$kind.tar" <<'PY'
import io, json, sys, tarfile
kind, out = sys.argv[1], sys.argv[2]
def add(t, name, body=b'', typ=tarfile.REGTYPE, link=''):
    ti = tarfile.TarInfo(name); ti.type = typ; ti.linkname = link
    ti.size = len(body) if typ == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(body) if typ == tarfile.REGTYPE else None)
with tarfile.open(out, 'w', format=tarfile.GNU_FORMAT) as t:
    if kind == 'dotdot':
        add(t, '../../victim/evil', b'pwned')
        layer = '../../victim/evil'
    elif kind == 'absolute':
        add(t, '/tmp/evil-abs', b'pwned')
        layer = '/tmp/evil-abs'
    elif kind == 'symlink':
        add(t, 'l', typ=tarfile.SYMTYPE, link='../../../../../../etc')
        layer = 'l/passwd'
    else:
        add(t, 'h', typ=tarfile.LNKTYPE, link='../../etc/passwd')
        layer = 'h'
    add(t, 'manifest.json', json.dumps([{"Config": "c.json", "RepoTags": ["evil:1"], "Layers": [layer]}]).encode())
PY
    run kiln load -i "$BATS_TEST_TMPDIR/$kind.tar"
    [ "$status" -eq 125 ]
    [[ "$output" == *"outside the archive"* || "$output" == *"path escapes the archive"* || "$output" == *"absolute path refused"* ]]
  done
  [ -z "$(ls "$victim")" ]
  [ ! -e /tmp/evil-abs ]
  [ -z "$(kiln images -q)" ]
  [ -z "$(ls "$TEST_ROOT/root/ingest")" ]
}

@test "interop: podman loads each of kiln's four formats and inspects the same" {
  has_podman || skip "podman not installed"
  kiln load -q -i "$(two_layer_archive)" >/dev/null
  want=$(image_summary kiln inspect localhost/two:1)
  for fmt in docker-archive oci-archive oci-dir docker-dir; do
    kiln save -q --format $fmt -o "$BATS_TEST_TMPDIR/k-$fmt" localhost/two:1
    pm rmi -a -f >/dev/null 2>&1 || true
    # relative path: podman names an oci-dir image "localhost/<path as given>", which fails
    # on the upper-case letters of bats' temporary directories
    cd "$BATS_TEST_TMPDIR"
    run --separate-stderr pm load -q -i "k-$fmt"
    echo "$fmt: $output $stderr"
    [ "$status" -eq 0 ]
    case $fmt in
      *-archive) [ "$output" = "Loaded image: localhost/two:1" ] ;;
      # podman names an oci-dir image after the directory and leaves a docker-dir one unnamed
      oci-dir) [ "$output" = "Loaded image: localhost/k-oci-dir" ] ;;
      docker-dir) [[ "$output" =~ ^Loaded\ image:\ sha256: ]] ;;
    esac
    assert_same "$want" "$(image_summary pm inspect "$(pm images -q)")"
    # and it runs in podman
    run pm run --rm "$(pm images -q)"
    [ "$status" -eq 0 ]
    [ "$output" = "hello from layer two" ]
  done
}

@test "interop: kiln loads podman's four formats" {
  has_podman || skip "podman not installed"
  pm load -q -i "$(two_layer_archive)" >/dev/null
  want=$(image_summary pm inspect localhost/two:1)
  for fmt in docker-archive oci-archive oci-dir docker-dir; do
    pm save -q --format $fmt -o "$BATS_TEST_TMPDIR/p-$fmt" localhost/two:1
    kiln rmi -a -f >/dev/null 2>&1 || true
    run kiln load -q -i "$BATS_TEST_TMPDIR/p-$fmt"
    [ "$status" -eq 0 ]
    case $fmt in
      docker-dir) [[ "$output" =~ ^Loaded\ image:\ sha256: ]] ;;
      *) [ "$output" = "Loaded image: localhost/two:1" ] ;;
    esac
    # podman rewrites a Docker config as an OCI one for oci-*, so the ID may differ there
    assert_same "$want" "$(image_summary kiln inspect "$(kiln images -q)")"
  done
  pm save -q -m -o "$BATS_TEST_TMPDIR/p-multi.tar" localhost/two:1 localhost/two:1
  kiln rmi -a -f >/dev/null
  run kiln load -q -i "$BATS_TEST_TMPDIR/p-multi.tar"
  [ "$output" = "Loaded image: localhost/two:1" ]
}

@test "save --progress (the tutorial's): progress on stderr, also when the archive goes to stdout; not with -q" {
  import_busybox >/dev/null
  kiln tag busybox myapp:1.0
  run --separate-stderr kiln save myapp:1.0 -o "$BATS_TEST_TMPDIR/a.tar" --progress
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"Copying blob sha256:"* ]]
  # to stdout: silent without --progress, the copy lines with it, the same archive either way
  kiln save myapp:1.0 2>"$BATS_TEST_TMPDIR/quiet.err" >"$BATS_TEST_TMPDIR/b.tar"
  [ ! -s "$BATS_TEST_TMPDIR/quiet.err" ]
  kiln save --progress myapp:1.0 2>"$BATS_TEST_TMPDIR/progress.err" >"$BATS_TEST_TMPDIR/c.tar"
  grep -q '^Writing manifest to image destination$' "$BATS_TEST_TMPDIR/progress.err"
  cmp "$BATS_TEST_TMPDIR/a.tar" "$BATS_TEST_TMPDIR/b.tar"
  cmp "$BATS_TEST_TMPDIR/b.tar" "$BATS_TEST_TMPDIR/c.tar"
  run -125 kiln save -q --progress myapp:1.0 -o "$BATS_TEST_TMPDIR/d.tar"
  [ "$output" = "Error: --quiet and --progress cannot be used together" ]
  [ ! -e "$BATS_TEST_TMPDIR/d.tar" ]
}

@test "load -i URL downloads the archive first (podman's 120-load 'from URL'); a missing one fails clearly" {
  command -v python3 >/dev/null || skip "python3 not installed"
  id=$(kiln import -q "$(busybox_tar)" bb)
  mkdir -p "$TEST_ROOT/www"
  kiln save -o "$TEST_ROOT/www/image.tar" bb
  kiln rmi bb >/dev/null
  serve_directory "$TEST_ROOT/www"
  run kiln load -i "http://127.0.0.1:$HTTP_PORT/image.tar"
  load_status=$status load_output=$output
  run kiln load -i "http://127.0.0.1:$HTTP_PORT/nosuch.tar"
  kill "$HTTP_PID"
  [ "$load_status" -eq 0 ]
  [ "${load_output##*$'\n'}" = "Loaded image: localhost/bb:latest" ]
  [ "$(kiln inspect --format '{{.Id}}' bb)" = "${id#sha256:}" ]
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error: downloading http://127.0.0.1:$HTTP_PORT/nosuch.tar"*"404"* ]]
  [ "$(kiln images -q | wc -l)" -eq 1 ]
}
