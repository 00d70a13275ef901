#!/usr/bin/env bash
# podman 4.3.1's own system tests (test/system/*.bats) as the judge of kiln as a drop-in:
# runs the image-related files with PODMAN=kiln and with PODMAN=podman, offline, and prints
# each test's result for both and the counts. Not part of `make test` (it takes minutes).
#
# usage: tests/podman-system.sh [-k] [FILE.bats...]
#   PODMAN_SYSTEM_DIR  podman's test/system at v4.3.1 (default: ../podman-system/test/system);
#                      get it with: git -C <podman clone> archive v4.3.1 test/system | tar -x -C DIR
#   KILN               the kiln binary (default: build/kiln)
#   ENGINES            "kiln podman" (default), or one of them
#   FILTER             only the tests whose names match this regular expression (bats -f)
#   -k                 keep the work directory (stores, TAP logs) for a look afterwards
# Exit status: 1 when kiln fails or skips a test that podman passes.
#
# Offline stand-ins: the test image (quay.io/libpod/testimage in podman's CI) is a busybox
# image with what the tests read (/home/podman/testimage-id, the created_by/created_at labels,
# WORKDIR and CMD of build-testimage, and the Alpine bits they use), built by kiln and pushed
# to a docker-registry on 127.0.0.1. A registries.conf (CONTAINERS_REGISTRIES_CONF, read by
# both) maps quay.io/libpod to it, so the image keeps its real name and the tests' own pulls
# (by digest, the multi-image archive, quay.io/libpod/alpine) work offline.
# Each engine gets a fresh store per file (podman: its own containers.conf, --root and
# --runroot, never /etc/containers or /var/lib/containers; `buildah` on PATH is wrapped the
# same way).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
KILN=$(realpath "${KILN:-$REPO_ROOT/build/kiln}")
SYSTEM_DIR=$(realpath "${PODMAN_SYSTEM_DIR:-$REPO_ROOT/../podman-system/test/system}")
ENGINES=${ENGINES:-kiln podman}
KEEP=
if [ "${1:-}" = -k ]; then KEEP=1; shift; fi
DEFAULT_FILES="010-images 020-tag 060-mount 070-build 110-history 120-load 125-import 320-system-df"
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || read -ra FILES <<< "$DEFAULT_FILES"

[ -x "$KILN" ] || { echo "kiln binary not found: $KILN (build it, or set KILN)" >&2; exit 2; }
[ -f "$SYSTEM_DIR/helpers.bash" ] || {
  echo "podman's test/system not found in $SYSTEM_DIR; set PODMAN_SYSTEM_DIR" >&2
  echo "(git -C <podman clone> archive v4.3.1 test/system | tar -x -C DIR)" >&2
  exit 2
}
for tool in bats jq docker-registry python3 curl; do
  command -v $tool >/dev/null || { echo "$tool is required" >&2; exit 2; }
done

# Short: podman refuses a runroot path longer than 50 characters.
WORK=$(mktemp -d /tmp/kps.XXXXXX)
REG_PID=
cleanup() {
  if [ -n "$REG_PID" ]; then kill "$REG_PID" 2>/dev/null; wait "$REG_PID" 2>/dev/null || true; fi
  # podman (and image mounts) leave mounts under the stores.
  mount | awk -v d="$WORK" 'index($3, d) == 1 { print $3 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  if [ -n "$KEEP" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- the registry -----------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REGISTRY=localhost:$PORT
mkdir -p "$WORK/registry"
cat > "$WORK/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
EOF
env -u REGISTRY_AUTH_FILE docker-registry serve "$WORK/registry/config.yml" > "$WORK/registry/log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/v2/" && break; sleep 0.05; done

cat > "$WORK/registries.conf" <<EOF
unqualified-search-registries = []
[[registry]]
prefix = "quay.io/libpod"
location = "$REGISTRY/libpod"
insecure = true
[[registry]]
location = "$REGISTRY"
insecure = true
EOF
export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf

# --- the stand-in test images -----------------------------------------------------------
TEST_TAG=20221018
export PODMAN_TEST_IMAGE_REGISTRY=quay.io PODMAN_TEST_IMAGE_USER=libpod PODMAN_TEST_IMAGE_NAME=testimage
export PODMAN_TEST_IMAGE_TAG=$TEST_TAG PODMAN_NONLOCAL_IMAGE_TAG=00000004
LOCAL=$REGISTRY/libpod  # what quay.io/libpod maps to

make_test_images() {
  local seed=$WORK/seed ctx=$WORK/seed/ctx
  local k=("$KILN" --root "$seed/root" --runroot "$seed/run")
  mkdir -p "$ctx"
  bash "$REPO_ROOT/scripts/busybox-rootfs.sh" "$seed/busybox.tar"
  "${k[@]}" import -q "$seed/busybox.tar" localhost/busybox:latest >/dev/null
  # What build-testimage puts in the image and the tests read back.
  echo $TEST_TAG > "$ctx/testimage-id"
  touch --date=@1600000000 "$ctx/testimage-id"
  printf '#!/bin/sh\necho Confirmed: testimage pause invoked as $0\nwhile :; do sleep 0.1; done\n' > "$ctx/pause"
  chmod 755 "$ctx/pause"
  # The real image is Alpine's: files the tests read, busybox-extras (httpd) and printenv,
  # which Debian's busybox-static lacks.
  printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.16.0\n' > "$ctx/os-release"
  echo 3.16.0 > "$ctx/alpine-release"
  echo 'Welcome to Alpine Linux 3.16' > "$ctx/issue"
  cat > "$ctx/printenv" <<'EOF'
#!/bin/sh
[ $# -eq 0 ] && exec env
rc=0
for v; do
  if eval "[ -n \"\${$v+x}\" ]"; then eval "printf '%s\n' \"\$$v\""; else rc=1; fi
done
exit $rc
EOF
  chmod 755 "$ctx/printenv"
  cat > "$ctx/Containerfile" <<EOF
FROM localhost/busybox:latest
ADD os-release alpine-release issue /etc/
ADD printenv /usr/bin/printenv
RUN ln -s busybox /bin/busybox-extras
ADD testimage-id pause /home/podman/
LABEL created_by=test/system/build-testimage
LABEL created_at=2022-10-18T12:00:00Z
WORKDIR /home/podman
CMD ["/bin/echo", "This container is intended for podman CI testing"]
EOF
  # A fixed creation time, so that "N years ago" does not tick between two commands.
  "${k[@]}" build -q --timestamp 1666094400 -t "$LOCAL/testimage:$TEST_TAG" "$ctx" >/dev/null
  # The images 120-load pulls besides the test image: two others, usable on this host;
  # and quay.io/libpod/alpine (070-build's copy-from test).
  printf 'FROM localhost/busybox:latest\nLABEL kiln.test=multiimage\n' > "$ctx/Containerfile.multi"
  "${k[@]}" build -q --timestamp 1666094400 -t "$LOCAL/testimage:multiimage" -f "$ctx/Containerfile.multi" "$ctx" >/dev/null
  "${k[@]}" tag localhost/busybox:latest "$LOCAL/testimage:00000004" "$LOCAL/alpine:latest"
  local img
  for img in testimage:$TEST_TAG testimage:multiimage testimage:00000004 alpine:latest; do
    "${k[@]}" push -q "$LOCAL/$img" >/dev/null
  done
}

# --- the engines ------------------------------------------------------------------------
# bin/podman (what $PODMAN points at) and bin/buildah, with this engine's store for FILE.
make_wrappers() {
  local e=$1 d=$WORK/$1 store=$WORK/$1/store/$2
  mkdir -p "$d/bin" "$store"
  [ -f "$d/containers.conf" ] || bash "$REPO_ROOT/scripts/podman-conf.sh" "$d/containers.conf"
  # A test may set CONTAINERS_CONF itself (070-build "set runtime").
  local conf="export CONTAINERS_CONF=\${CONTAINERS_CONF:-$d/containers.conf}"
  if [ "$e" = kiln ]; then
    printf '#!/bin/sh\nexec %q --root %q --runroot %q "$@"\n' "$KILN" "$store/root" "$store/run" > "$d/bin/podman"
    # kiln does not share buildah's store: buildah's containers go to one of their own.
    printf '#!/bin/sh\n%s\nexec /usr/bin/buildah --root %q --runroot %q "$@"\n' \
      "$conf" "$store/buildah" "$store/buildah-run" > "$d/bin/buildah"
  else
    printf '#!/bin/sh\n%s\nexec /usr/bin/podman --root %q --runroot %q "$@"\n' "$conf" "$store/root" "$store/run" > "$d/bin/podman"
    printf '#!/bin/sh\n%s\nexec /usr/bin/buildah --root %q --runroot %q "$@"\n' "$conf" "$store/root" "$store/run" > "$d/bin/buildah"
  fi
  chmod +x "$d/bin/podman" "$d/bin/buildah"
}

run_engine() {
  local e=$1 d=$WORK/$1 f
  mkdir -p "$d/tap"
  for f in "${FILES[@]}"; do
    f=${f%.bats}
    echo "== $e: $f" >&2
    make_wrappers "$e" "$f"
    # bats runs the file where it is (it loads helpers.bash beside it).
    PATH=$d/bin:$PATH PODMAN=$d/bin/podman BATS_TMPDIR=$d \
      timeout 1800 bats --tap ${FILTER:+-f "$FILTER"} "$SYSTEM_DIR/$f.bats" > "$d/tap/$f.tap" 2> "$d/tap/$f.err" || true
    "$d/bin/podman" rm -t 0 -a -f >/dev/null 2>&1 || true
  done
}

# One line per test: FILE<TAB>NAME<TAB>pass|fail|skip
results() {
  local e=$1 f
  for f in "${FILES[@]}"; do
    f=${f%.bats}
    awk -v file="$f" '
      /^ok [0-9]+ .*# skip/ { sub(/^ok [0-9]+ /, ""); sub(/ # skip.*/, ""); print file "\t" $0 "\tskip"; next }
      /^ok [0-9]+ /         { sub(/^ok [0-9]+ /, ""); print file "\t" $0 "\tpass"; next }
      /^not ok [0-9]+ /     { sub(/^not ok [0-9]+ /, ""); print file "\t" $0 "\tfail" }
    ' "$WORK/$e/tap/$f.tap"
  done
}

make_test_images
for e in $ENGINES; do run_engine "$e"; done
for e in $ENGINES; do results "$e" > "$WORK/$e.results"; done

# --- the report -------------------------------------------------------------------------
read -ra engines <<< "$ENGINES"
printf '%-14s %-62s' FILE TEST
for e in "${engines[@]}"; do printf ' %-6s' "$e"; done
echo
cut -f1,2 "$WORK/${engines[0]}.results" | while IFS=$'\t' read -r file name; do
  printf '%-14s %-62.62s' "$file" "$name"
  for e in "${engines[@]}"; do
    r=$(awk -F'\t' -v f="$file" -v n="$name" '$1 == f && $2 == n { print $3 }' "$WORK/$e.results")
    printf ' %-6s' "${r:-none}"
  done
  echo
done
echo
for e in "${engines[@]}"; do
  printf '%-7s %3d pass %3d fail %3d skip of %d\n' "$e:" \
    "$(grep -c $'\tpass$' "$WORK/$e.results" || true)" "$(grep -c $'\tfail$' "$WORK/$e.results" || true)" \
    "$(grep -c $'\tskip$' "$WORK/$e.results" || true)" "$(wc -l < "$WORK/$e.results")"
done
status=0
if [[ " $ENGINES " == *" kiln "* && " $ENGINES " == *" podman "* ]]; then
  missing=$(join -t $'\t' <(awk -F'\t' '$3 == "pass" { print $1 "/" $2 "\t" $3 }' "$WORK/podman.results" | sort) \
                         <(awk -F'\t' '$3 != "pass" { print $1 "/" $2 "\t" $3 }' "$WORK/kiln.results" | sort) | cut -f1)
  if [ -n "$missing" ]; then
    echo
    echo "podman passes, kiln does not:"
    sed 's/^/  /' <<< "$missing"
    status=1
  fi
fi
exit $status
