# Shared by the sbom and scan tests: the Debian base image made once and cached under build/,
# and the check of a document against its published schema (the Debian tar takes about a minute).

# Prints the path of a Debian 12 minbase rootfs tar; on failure prints why (for skip).
debian_tar() {
  local tar=$REPO_ROOT/build/debian-bookworm.tar
  if [ -s "$tar" ]; then echo "$tar"; return 0; fi
  if ! command -v mmdebstrap >/dev/null; then echo "mmdebstrap is not installed (scripts/deps.sh)"; return 1; fi
  mkdir -p "$REPO_ROOT/build"
  if ! bash "$REPO_ROOT/scripts/debian-rootfs.sh" "$tar" >"$REPO_ROOT/build/debian-rootfs.log" 2>&1; then
    echo "mmdebstrap could not make the Debian rootfs (no archive reachable?): see build/debian-rootfs.log"
    return 1
  fi
  echo "$tar"
}

# Validates a document (file) against one of the published schemas committed under
# tests/fixtures/schemas (spdx/spdx-schema.json, cyclonedx/bom-1.5.schema.json).
validate_schema() {
  python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is not installed (scripts/deps.sh)"; return 1; }
  python3 "$BATS_TEST_DIRNAME/validate-json-schema.py" "$REPO_ROOT/tests/fixtures/schemas/$1" "$2"
}
