#!/usr/bin/env bats
# kiln image scan: the SBOM of localhost/debian:bookworm against real Debian advisories
# (tests/fixtures/osv/debian, see tests/fixtures/osv/README.md), from a directory or a .zip.
load helpers
load security

FIXTURES=$BATS_TEST_DIRNAME/../fixtures/osv/debian

setup() {
  DEBIAN_TAR=$(debian_tar) || skip "$DEBIAN_TAR"
  setup_store
  kiln import -q "$DEBIAN_TAR" localhost/debian:bookworm >/dev/null
}

# An image on top of bookworm whose later layer brings an older libc6 (as a distroless
# status.d entry), which the glibc advisories' fixed versions are above.
build_old_libc() {
  local ctx=$TEST_ROOT/ctx
  mkdir -p "$ctx"
  printf 'Package: libc6\nVersion: 2.36-9+deb12u2\nArchitecture: amd64\nSource: glibc\n' > "$ctx/libc6"
  printf 'FROM localhost/debian:bookworm\nCOPY libc6 /var/lib/dpkg/status.d/libc6\n' > "$ctx/Containerfile"
  kiln build -q -t oldlibc "$ctx" >/dev/null
}

@test "scan: bookworm matches exactly the unfixed advisories, by source package" {
  run -0 kiln image scan --db "$FIXTURES" --format '{{.ID}} {{.Package}} {{.FixedIn}} {{.Severity}}' localhost/debian:bookworm
  assert_same "DEBIAN-CVE-2011-3374 apt  LOW
DEBIAN-CVE-2011-3374 libapt-pkg6.0  LOW
DEBIAN-CVE-2005-2541 tar  LOW" "$output"
  run -0 kiln image scan --db "$FIXTURES" --ignore-unfixed localhost/debian:bookworm
  [ "$output" = "ID          PACKAGE     INSTALLED   FIXED IN    SEVERITY    LAYER" ]
}

@test "scan: a later layer's older package gets the fixed advisories, naming that layer" {
  build_old_libc
  layer=$(kiln inspect --format '{{index .RootFS.Layers 1}}' oldlibc)
  run -0 kiln image scan --db "$FIXTURES" --ignore-unfixed oldlibc
  echo "$output"
  [[ "${lines[0]}" =~ ^ID\ +PACKAGE\ +INSTALLED\ +FIXED\ IN\ +SEVERITY\ +LAYER$ ]]
  [[ "${lines[1]}" =~ ^DEBIAN-CVE-2026-4438\ +libc6\ +2.36-9\+deb12u2\ +2.36-9\+deb12u14\ +MEDIUM\ +${layer:7:12}$ ]]
  [[ "${lines[2]}" =~ ^DSA-5514-1\ +libc6\ +2.36-9\+deb12u2\ +2.36-9\+deb12u3\ +HIGH\ +${layer:7:12}$ ]]
  [ "${#lines[@]}" -eq 3 ]
  run -0 kiln image scan --db "$FIXTURES" --format json oldlibc
  [ "$(jq '.findings | length' <<<"$output")" -eq 5 ]
  [ "$(jq -r '.findings[] | select(.id == "DSA-5514-1") | .layer.diffID' <<<"$output")" = "$layer" ]
  [ "$(jq -r '.findings[] | select(.id == "DSA-5514-1") | .package.purl' <<<"$output")" = \
    "pkg:deb/debian/libc6@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12" ]
  run -0 kiln image scan --db "$FIXTURES" --severity high --format '{{.ID}}' oldlibc
  [ "$output" = "DSA-5514-1" ]
}

@test "scan: --exit-code gates on what is reported; sarif; a .zip database" {
  build_old_libc
  run -3 kiln image scan --db "$FIXTURES" --exit-code 3 -n --format '{{.ID}}' oldlibc
  [ "${#lines[@]}" -eq 5 ]
  run -0 kiln image scan --db "$FIXTURES" --exit-code 3 --severity critical oldlibc
  run -0 kiln image scan --db "$FIXTURES" --format sarif oldlibc
  [ "$(jq -r .version <<<"$output")" = 2.1.0 ]
  [ "$(jq '.runs[0].results | length' <<<"$output")" -eq 5 ]
  [ "$(jq -r '.runs[0].results[] | select(.ruleId == "DSA-5514-1") | .level' <<<"$output")" = error ]
  (cd "$FIXTURES" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for n in sys.argv[2:]: z.write(n)' "$TEST_ROOT/osv.zip" *.json)
  run -0 kiln image scan --db "$TEST_ROOT/osv.zip" --format '{{.ID}} {{.Package}}' oldlibc
  assert_same "$(kiln image scan --db "$FIXTURES" --format '{{.ID}} {{.Package}}' oldlibc)" "$output"
}

@test "scan: bad input is an error and changes nothing" {
  run -125 kiln image scan --db "$TEST_ROOT/nosuch" localhost/debian:bookworm
  [[ "$output" == Error:*nosuch* ]]
  echo '{"id": "X", "affected": [' > "$TEST_ROOT/bad.json"
  run -125 kiln image scan --db "$TEST_ROOT/bad.json" localhost/debian:bookworm
  [[ "$output" == Error:* ]]
  mkdir "$TEST_ROOT/baddir" && cp "$TEST_ROOT/bad.json" "$TEST_ROOT/baddir/"
  run -125 kiln image scan --db "$TEST_ROOT/baddir" localhost/debian:bookworm
  [[ "$output" == Error:*bad.json*invalid\ JSON* ]]
  run -125 kiln image scan --db "$FIXTURES" --severity severe localhost/debian:bookworm
  [[ "$output" == Error:*severity* ]]
  run -125 kiln image scan localhost/debian:bookworm
  [[ "$output" == Error:*--db* ]]
}
