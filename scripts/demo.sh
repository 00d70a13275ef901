#!/usr/bin/env bash
# make demo: a busybox base image from Debian's busybox-static, imported with kiln, the
# Containerfiles of examples/ built on it (one of them run), then listed and inspected. Uses its own store under build/demo-store so that it
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
examples=$(cd "$(dirname "$0")/../examples" && pwd)
for ex in basic multi-stage build-args cache-friendly; do
  say build -t "example-$ex" "examples/$ex"
  k build -t "example-$ex" "$examples/$ex"
done
say run --rm example-multi-stage
k run --rm example-multi-stage
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
# The Debian base image (scripts/debian-rootfs.sh, cached by the tests under build/) when
# it is there: its packages and the real advisories of the scan tests.
debian=$(dirname "$0")/../build/debian-bookworm.tar
if [ -s "$debian" ]; then
  say import debian-bookworm.tar localhost/debian:bookworm
  k import -q "$debian" localhost/debian:bookworm
  say image sbom --format "'{{.Name}} {{.Version}} {{.Purl}}'" localhost/debian:bookworm "| head -5"
  k image sbom --format '{{.Name}} {{.Version}} {{.Purl}}' localhost/debian:bookworm > "$store/sbom.txt"
  head -5 "$store/sbom.txt"
  say image scan --db tests/fixtures/osv localhost/debian:bookworm
  k image scan --db "$(dirname "$0")/../tests/fixtures/osv" localhost/debian:bookworm
fi
printf '\nThe demo store is %s (remove it with: rm -rf %s)\n' "$store" "$store"
