# Shared by the sbom and scan tests: the Debian base image and the published schemas,
# each made once and cached under build/ (the Debian tar takes about a minute).

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

# The CycloneDX JSON schemas as the CycloneDX project publishes them in its npm library.
cyclonedx_schemas() {
  local dir=$REPO_ROOT/build/schemas/cyclonedx
  if [ -s "$dir/bom-1.5.SNAPSHOT.schema.json" ]; then echo "$dir"; return 0; fi
  python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is not installed"; return 1; }
  command -v npm >/dev/null || { echo "npm is not installed: no CycloneDX schemas"; return 1; }
  local tmp
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && timeout 120 npm pack --silent @cyclonedx/cyclonedx-library@10.3.0 >/dev/null 2>&1); then
    rm -rf "$tmp"
    echo "the npm registry is not reachable: no CycloneDX schemas"
    return 1
  fi
  mkdir -p "$dir"
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/res/schema
  cp "$tmp"/package/res/schema/*.schema.json "$dir/"
  rm -rf "$tmp"
  echo "$dir"
}
