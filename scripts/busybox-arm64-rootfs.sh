#!/usr/bin/env bash
# Makes an arm64 busybox base image rootfs tarball from Debian's busybox-static:arm64, laid out
# as busybox-rootfs.sh lays out the host's one. Import it with the platform it has:
#   kiln import --arch arm64 OUT.tar localhost/busybox:arm64
# Needs apt's arm64 architecture (added here when run as root: dpkg --add-architecture arm64)
# and a reachable Debian mirror, or BUSYBOX_ARM64_DEB=PATH of the downloaded .deb.
# usage: busybox-arm64-rootfs.sh OUT.tar
set -euo pipefail
out=${1:?usage: busybox-arm64-rootfs.sh OUT.tar}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=${BUSYBOX_ARM64_DEB:-}
if [ -z "$deb" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "apt has no arm64 architecture (as root: dpkg --add-architecture arm64 && apt-get update)" >&2
      exit 1
    fi
    dpkg --add-architecture arm64
    apt-get update -qq
  fi
  if ! (cd "$work" && apt-get download -qq busybox-static:arm64 2>/dev/null); then
    [ "$(id -u)" -eq 0 ] && apt-get update -qq
    (cd "$work" && apt-get download -qq busybox-static:arm64 2>/dev/null)
  fi
  deb=$(ls "$work"/busybox-static_*_arm64.deb)
fi
dpkg-deb -x "$deb" "$work/root"
BUSYBOX="$work/root/bin/busybox" bash "$here/busybox-rootfs.sh" "$out"
