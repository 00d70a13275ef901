#!/usr/bin/env bash
# make demo: a busybox base image from Debian's busybox-static, imported with kiln,
# then listed and inspected. Uses its own store under build/demo-store so that it
# never touches the system one.
set -euo pipefail
KILN=${1:-build/kiln}
store=${DEMO_STORE:-$(pwd)/build/demo-store}
k() { "$KILN" --root "$store/root" --runroot "$store/run" "$@"; }
say() { printf '\n\033[1m$ kiln %s\033[0m\n' "$*"; }

tar=$(mktemp --suffix=.tar)
trap 'rm -f "$tar"' EXIT
bash "$(dirname "$0")/busybox-rootfs.sh" "$tar"

say import busybox-rootfs.tar localhost/busybox:latest
k import "$tar" localhost/busybox:latest
say tag busybox myapp:1.0 myapp:latest
k tag busybox myapp:1.0 myapp:latest
say images
k images
say inspect --format '{{.Id}} {{.Created}} {{.Size}}' myapp:1.0
k inspect --format '{{.Id}} {{.Created}} {{.Size}}' myapp:1.0
say image tree myapp:1.0
k image tree myapp:1.0
say history myapp:1.0
k history myapp:1.0
say system df
k system df
printf '\nThe demo store is %s (remove it with: rm -rf %s)\n' "$store" "$store"
