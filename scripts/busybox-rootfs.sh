#!/usr/bin/env bash
# Makes a busybox base image rootfs tarball from Debian's busybox-static: /bin/busybox,
# a symlink per applet, /etc/passwd and /etc/group. Deterministic (sorted, fixed owners
# and times) so that the same busybox gives the same layer digest everywhere.
# usage: busybox-rootfs.sh OUT.tar
#   BUSYBOX=PATH  another busybox binary (busybox-arm64-rootfs.sh: the arm64 one); the applet
#                 links still come from the host's /bin/busybox (same Debian version)
set -euo pipefail
out=${1:?usage: busybox-rootfs.sh OUT.tar}
bb=${BUSYBOX:-/bin/busybox}
[ -x /bin/busybox ] || { echo "busybox-static is not installed (apt-get install busybox-static)" >&2; exit 1; }
[ -f "$bb" ] || { echo "no busybox binary at $bb" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,etc,tmp,root,var,usr/bin}
chmod 755 "$work"
chmod 1777 "$work/tmp"
cp "$bb" "$work/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$work/bin/$applet"
done
cat > "$work/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$work/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out" .
touch -d @1700000000 "$out"
