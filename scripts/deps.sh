#!/usr/bin/env bash
# The one list of what kiln needs from Debian, and the one place that installs it.
# Idempotent: installs only what is missing, so `make demo`/`make test` can call it every time.
set -euo pipefail

BUILD_DEPS=(
  build-essential cmake ninja-build pkg-config clang
  libarchive-dev nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev nettle-dev
  zlib1g-dev libisal-dev libzstd-dev liblzma-dev libbz2-dev libcurl4-openssl-dev
  libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev
  libacl1-dev liblz4-dev libxml2-dev libicu-dev
)
# Runtime and test-time tools: the OCI runtime, newuidmap/newgidmap for rootless kiln's user
# namespace (uidmap), the base image source, the test runner, and the reference
# implementation that the e2e tests and benchmarks compare against.
TOOL_DEPS=(bats busybox-static runc uidmap jq sqlite3 zstd xz-utils bzip2 python3 curl openssl podman buildah skopeo docker-registry hyperfine)

missing=()
for pkg in "${BUILD_DEPS[@]}" "${TOOL_DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
