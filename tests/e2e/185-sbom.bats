#!/usr/bin/env bats
# kiln image sbom on a real Debian base image (scripts/debian-rootfs.sh): the dpkg packages
# are those dpkg itself lists, each names the layer that added it, SPDX and CycloneDX
# documents validate against their published schemas.
load helpers
load security

setup() {
  DEBIAN_TAR=$(debian_tar) || skip "$DEBIAN_TAR"
  setup_store
  kiln import -q "$DEBIAN_TAR" localhost/debian:bookworm >/dev/null
}

@test "sbom: the dpkg packages are exactly dpkg-query -W of the same rootfs" {
  local dir=$TEST_ROOT/rootfs
  mkdir -p "$dir"
  tar -xf "$DEBIAN_TAR" -C "$dir" ./var/lib/dpkg
  expected=$(dpkg-query --admindir="$dir/var/lib/dpkg" -W -f='${Package} ${Version}\n' | sort)
  run -0 kiln image sbom --format '{{.Name}} {{.Version}}' localhost/debian:bookworm
  assert_same "$expected" "$(sort <<<"$output")"
  [ "$(wc -l <<<"$expected")" -gt 50 ]
  # Source packages as dpkg names them (${source:Package}).
  expected=$(dpkg-query --admindir="$dir/var/lib/dpkg" -W -f='${Package} ${source:Package}\n' | sort)
  run -0 kiln image sbom --format '{{.Name}} {{if .Source}}{{.Source}}{{else}}{{.Name}}{{end}}' localhost/debian:bookworm
  assert_same "$expected" "$(sort <<<"$output")"
}

@test "sbom: table columns, OS and well-formed purls" {
  run -0 kiln image sbom localhost/debian:bookworm
  [[ "${lines[0]}" =~ ^NAME\ +VERSION\ +TYPE\ +LAYER$ ]]
  [[ "${lines[1]}" =~ ^adduser\ +[^\ ]+\ +deb\ +[0-9a-f]{12}$ ]]
  run -0 kiln image sbom --format json localhost/debian:bookworm
  [ "$(jq -r .os.id <<<"$output")" = debian ]
  [ "$(jq -r .os.versionID <<<"$output")" = 12 ]
  # pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12, the version percent-encoded
  # (purl spec), and decoding it gives dpkg's version back.
  jq -r '.packages[] | "\(.purl) \(.name) \(.version) \(.arch)"' <<<"$output" | python3 -c '
import re, sys, urllib.parse
bad = 0
for line in sys.stdin:
    purl, name, version, arch = line.split()
    m = re.fullmatch(r"pkg:deb/debian/([A-Za-z0-9][A-Za-z0-9.%-]*)@([A-Za-z0-9.~_%-]+)\?arch=([a-z0-9]+)&distro=debian-12", purl)
    ok = m and urllib.parse.unquote(m.group(1)) == name and urllib.parse.unquote(m.group(2)) == version and m.group(3) == arch
    if not ok:
        print("bad purl:", purl, name, version, arch)
        bad += 1
sys.exit(1 if bad else 0)'
  run -0 kiln image sbom --format '{{.Purl}}' localhost/debian:bookworm
  [[ "$output" == *"pkg:deb/debian/bash@5.2.15-2%2Bb"* ]]
}

@test "sbom: a package added by a later layer names it; one removed by a later layer is gone" {
  local ctx=$TEST_ROOT/ctx
  mkdir -p "$ctx"
  printf 'Package: kiln-test-pkg\nVersion: 1.0-1\nArchitecture: all\nSource: kiln-test-src (0.9-1)\n' > "$ctx/kiln-test-pkg"
  cat > "$ctx/Containerfile" <<'CF'
FROM localhost/debian:bookworm
COPY kiln-test-pkg /var/lib/dpkg/status.d/kiln-test-pkg
RUN dpkg --purge --force-depends usrmerge
CF
  run -0 kiln build -q -t sbomtest "$ctx"
  base=$(kiln image sbom --format '{{.Name}}' localhost/debian:bookworm)
  grep -qx usrmerge <<<"$base"
  run -0 kiln image sbom --format json sbomtest
  local json=$output
  copy_diff=$(kiln inspect --format '{{index .RootFS.Layers 1}}' sbomtest)
  [ "$(jq -r '.packages[] | select(.name == "kiln-test-pkg") | .layer.diffID' <<<"$json")" = "$copy_diff" ]
  [[ "$(jq -r '.packages[] | select(.name == "kiln-test-pkg") | .layer.createdBy' <<<"$json")" == *COPY*kiln-test-pkg* ]]
  [ "$(jq -r '.packages[] | select(.name == "kiln-test-pkg") | .location' <<<"$json")" = /var/lib/dpkg/status.d/kiln-test-pkg ]
  [ "$(jq -r '.packages[] | select(.name == "usrmerge") | .name' <<<"$json")" = "" ]
  # Everything else is still from the base layer.
  base_diff=$(kiln inspect --format '{{index .RootFS.Layers 0}}' sbomtest)
  [ "$(jq -r --arg d "$base_diff" '[.packages[] | select(.layer.diffID == $d)] | length' <<<"$json")" = "$(( $(wc -l <<<"$base") - 1 ))" ]
  run -0 kiln image sbom --format '{{.Name}} {{.Layer}}' sbomtest
  grep -qx "kiln-test-pkg ${copy_diff:7:12}" <<<"$output"
}

@test "sbom: spdx-json and cyclonedx-json validate against their schemas" {
  run -0 kiln image sbom --format cyclonedx-json localhost/debian:bookworm
  echo "$output" > "$TEST_ROOT/bom.json"
  [ "$(jq '.components | length' "$TEST_ROOT/bom.json")" -gt 50 ]
  run -0 kiln image sbom --format spdx-json localhost/debian:bookworm
  echo "$output" > "$TEST_ROOT/spdx.json"
  python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (scripts/deps.sh)"
  run -0 validate_schema spdx/spdx-schema.json "$TEST_ROOT/spdx.json"
  run -0 validate_schema cyclonedx/bom-1.5.schema.json "$TEST_ROOT/bom.json"
  # The validator does catch what the schemas forbid.
  jq '.packages[1].filesAnalyzed = "no"' "$TEST_ROOT/spdx.json" > "$TEST_ROOT/bad-spdx.json"
  run -1 validate_schema spdx/spdx-schema.json "$TEST_ROOT/bad-spdx.json"
  jq '.components[1].type = "no-such-type"' "$TEST_ROOT/bom.json" > "$TEST_ROOT/bad-bom.json"
  run -1 validate_schema cyclonedx/bom-1.5.schema.json "$TEST_ROOT/bad-bom.json"
}

@test "sbom: SPDX and CycloneDX list the files each package owns, with their SHA-1" {
  # dpkg's .list files, the paths that are regular files in the rootfs, hashed from the tar.
  expected=$(python3 "$BATS_TEST_DIRNAME/dpkg-owned-files.py" "$DEBIAN_TAR" | LC_ALL=C sort)
  [ "$(wc -l <<<"$expected")" -gt 1000 ]
  run -0 kiln image sbom --format spdx-json localhost/debian:bookworm
  local spdx=$output
  assert_same "$expected" "$(jq -r '.files[] | "\(.fileName) \(.checksums[0].checksumValue)"' <<<"$spdx" | LC_ALL=C sort)"
  # The package CONTAINS its files (bash's .list names /bin/bash, the path before usrmerge).
  jq -e '(.packages[] | select(.name == "bash") | .SPDXID) as $b | (.files[] | select(.fileName == "/bin/bash") | .SPDXID) as $f
         | any(.relationships[]; .spdxElementId == $b and .relationshipType == "CONTAINS" and .relatedSpdxElement == $f)' <<<"$spdx"
  run -0 kiln image sbom --format cyclonedx-json localhost/debian:bookworm
  assert_same "$expected" "$(jq -r '[.components[].components[]? | "\(.name) \(.hashes[0].content)"] | unique[]' <<<"$output" | LC_ALL=C sort)"
  jq -e '.components[] | select(.name == "bash") | .components | any(.name == "/bin/bash" and .type == "file")' <<<"$output"
}

@test "sbom: an image without package databases lists nothing; bad input is an error" {
  import_busybox >/dev/null
  run -0 kiln image sbom localhost/busybox
  [ "$output" = "NAME        VERSION     TYPE        LAYER" ]
  run -125 kiln image sbom localhost/nosuch
  [[ "$output" == Error:*nosuch* ]]
}
