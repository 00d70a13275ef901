#!/usr/bin/env bash
# The one list of what kiln needs from Debian, and the one place that installs it.
# Idempotent: installs only what is missing, so `make demo`/`make test` can call it every time.
#   deps.sh runtime   what building and running kiln needs (make build, make demo)
#   deps.sh [test]    that and the test oracle and tools (make test, e2e, bench, fuzz)
#   deps.sh --list runtime|test   prints the packages, installs nothing
set -euo pipefail

list=0
if [ "${1:-}" = --list ]; then list=1; shift; fi
set_name=${1:-test}
case "$set_name" in runtime | test) ;; *) echo "usage: deps.sh [--list] [runtime|test]" >&2; exit 2 ;; esac

BUILD_DEPS=(
  build-essential cmake ninja-build pkg-config clang
  libarchive-dev nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev nettle-dev
  zlib1g-dev libisal-dev libzstd-dev liblzma-dev libbz2-dev libcurl4-openssl-dev
  libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev
  libacl1-dev liblz4-dev libxml2-dev libicu-dev libseccomp-dev
)
# What running kiln needs: the OCI runtime, newuidmap/newgidmap for rootless kiln's user
# namespace (uidmap), the base image source of the demo and the examples, and catatonit, the
# init of pods' infra containers (podman's pause image is built from it).
RUNTIME_DEPS=(busybox-static runc uidmap catatonit)
# Test-time tools: the test runner and its helpers, the reference implementation that the
# e2e tests and benchmarks compare against, a registry, the benchmark runner.
# mmdebstrap makes the Debian base image of the SBOM/scan tests; python3-jsonschema validates
# their documents against the schemas in tests/fixtures/schemas. qemu-user-static runs another
# architecture's RUN steps (build --platform) through binfmt_misc (kiln needs it only for such builds).
TEST_DEPS=(bats qemu-user-static jq sqlite3 zstd xz-utils bzip2 python3 curl openssl podman buildah skopeo docker-registry hyperfine
  mmdebstrap python3-jsonschema)

wanted=("${BUILD_DEPS[@]}" "${RUNTIME_DEPS[@]}")
[ "$set_name" = test ] && wanted+=("${TEST_DEPS[@]}")
if [ "$list" = 1 ]; then printf '%s\n' "${wanted[@]}"; exit 0; fi

# Packages that only bring a command the tests run, as [package]=command: a command already
# on PATH from another package is enough (none today: npm, which needed it because
# nodesource's nodejs ships npm and conflicts with Debian's, is no longer a test dependency).
declare -A COMMAND_OF=()
missing=()
for pkg in "${wanted[@]}"; do
  [ -n "${COMMAND_OF[$pkg]:-}" ] && command -v "${COMMAND_OF[$pkg]}" >/dev/null 2>&1 && continue
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
