#!/usr/bin/env bash
# Concurrency soak: PROCS processes loop on one store for SECONDS, each over
# build / tag / load / save / images / run / rmi / prune. Every error must be one of the
# documented races (`image is in use`, `image not known` for a name another process just
# removed); no tag a process made may go missing while it owns it; `system check` must be
# clean at the end. Prints operations per second; with SOAK_PODMAN=1 runs the same loop on
# podman (its own store and containers.conf) for the same time, side by side.
#
#   tests/stress/soak.sh [SECONDS]     (default 300; SOAK_PROCS=8)
source "$(dirname "$0")/lib.sh"

SECONDS_TOTAL=${1:-${SOAK_SECONDS:-300}}
PROCS=${SOAK_PROCS:-8}
ALLOWED='image is in use|image not known|image used by|is in use by a container|no such image'

# tool ARGS...: kiln, or podman with its own store, on this campaign's store.
tool() {
  if [ "$TOOL" = podman ]; then
    CONTAINERS_CONF=$WORK/podman/containers.conf podman --root "$WORK/podman/root" --runroot "$PM_RUNROOT" "$@"
  else
    k "$@"
  fi
}

worker() {
  local w=$1 deadline=$2 i=0 ops=0 errs=0 expected=0 lost=0 op out rc
  local ctx=$WORK/ctx-$w out_tar=$WORK/out/save-$w.tar
  mkdir -p "$ctx"
  printf 'FROM localhost/busybox\nARG I\nRUN echo %s-$I > /id\n' "$w" > "$ctx/Containerfile"
  local ops_list=(build tag images load save run rmi prune)
  while [ "$(now_ms)" -lt "$deadline" ]; do
    for op in "${ops_list[@]}"; do
      case $op in
        build)  out=$(tool build -q --build-arg "I=$((i % 4))" -t "localhost/soak-$w:latest" "$ctx" 2>&1) ;;
        tag)    out=$(tool tag "localhost/soak-$w:latest" "localhost/soak-$w:t$i" 2>&1) ;;
        images) out=$(tool images 2>&1 >/dev/null) ;;
        load)   out=$(tool load -q -i "$WORK/in/shared.tar" 2>&1) ;;
        save)   rm -f "$out_tar"; out=$(tool save -q -o "$out_tar" "localhost/soak-$w:t$i" 2>&1) ;;
        run)    out=$(tool run --rm "localhost/soak-$w:t$i" cat /id 2>&1) ;;
        rmi)    out=$(tool rmi "localhost/soak-$w:t$i" 2>&1) ;;
        prune)  out=$(tool image prune -f 2>&1) ;;
      esac
      rc=$?
      ops=$((ops + 1))
      if [ $rc -ne 0 ]; then
        if grep -Eq "$ALLOWED" <<<"$out"; then expected=$((expected + 1))
        else errs=$((errs + 1)); echo "worker $w: $op failed ($rc): $out" >&2; fi
      fi
      # The tag this worker made must exist until this worker removes it.
      if [ "$op" = tag ] || [ "$op" = save ] || [ "$op" = run ]; then
        tool image exists "localhost/soak-$w:t$i" || { lost=$((lost + 1)); echo "worker $w: lost tag soak-$w:t$i after $op" >&2; }
      fi
    done
    i=$((i + 1))
  done
  echo "$ops $errs $expected $lost" > "$WORK/worker-$w.result"
}

soak() {
  TOOL=$1
  tool import -q "$(busybox_rootfs)" localhost/busybox:latest >/dev/null || die "$TOOL: import busybox"
  local deadline=$(( $(now_ms) + SECONDS_TOTAL * 1000 )) w start end
  start=$(now_ms)
  for w in $(seq 1 "$PROCS"); do worker "$w" "$deadline" & done
  wait
  end=$(now_ms)
  local ops=0 errs=0 expected=0 lost=0 a b c d
  for w in $(seq 1 "$PROCS"); do
    read -r a b c d < "$WORK/worker-$w.result"
    ops=$((ops + a)) errs=$((errs + b)) expected=$((expected + c)) lost=$((lost + d))
  done
  local check=skipped
  if [ "$TOOL" = kiln ]; then
    if k system check > "$WORK/check.out" 2>&1; then check=clean; else check=DAMAGED; cat "$WORK/check.out"; fi
  fi
  printf '%s: %d processes, %d s: %d operations, %.1f ops/s; unexpected errors: %d, documented races: %d, lost tags: %d, system check: %s\n' \
    "$TOOL" "$PROCS" $(( (end - start) / 1000 )) "$ops" "$(bc -l <<<"$ops * 1000 / ($end - $start)")" "$errs" "$expected" "$lost" "$check"
  [ "$errs" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$check" != DAMAGED ]
}

main() {
  stress_init
  # One archive every worker loads: the same image, loaded concurrently.
  k import -q "$(busybox_rootfs)" localhost/shared:latest >/dev/null || die "import"
  k save -q -o "$WORK/in/shared.tar" localhost/shared:latest || die "save"
  k rmi localhost/shared:latest >/dev/null
  local rc=0
  soak kiln || rc=1
  if [ -n "${SOAK_PODMAN:-}" ]; then
    command -v podman >/dev/null || die "podman is not installed"
    mkdir -p "$WORK/podman"
    PM_RUNROOT=$(mktemp -d /tmp/kpm.XXXXXX)   # podman refuses a runroot over 50 characters
    bash "$REPO_ROOT/scripts/podman-conf.sh" "$WORK/podman/containers.conf"
    rm -f "$WORK"/worker-*.result
    soak podman || true   # podman's own failures are reported, not held against kiln
    CONTAINERS_CONF=$WORK/podman/containers.conf podman --root "$WORK/podman/root" --runroot "$PM_RUNROOT" \
      system reset -f >/dev/null 2>&1
    rm -rf "$PM_RUNROOT"
  fi
  return $rc
}

main
