#!/usr/bin/env bash
# kill -9 trials: a random writing command is killed with SIGKILL at a random moment; after
# each kill the store must pass `system check` (or `--repair` must restore it, deleting only
# what the killed command was writing), every image listed before the trial must still
# inspect, save byte-identical and keep its names, and the killed command, rerun, succeeds.
#
#   tests/stress/kill-trials.sh [TRIALS]      (default 200; STRESS_SEED=N reproduces a run)
#
# The seed fixes the sequence of commands and kill delays; what the command has done when the
# kill lands still depends on the machine. Kill delays adapt: each kind is killed at a random
# moment within 1.2 times the duration its last uninterrupted rerun took.
source "$(dirname "$0")/lib.sh"

TRIALS=${1:-${STRESS_TRIALS:-200}}
SEED=${STRESS_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
VERBOSE=${STRESS_VERBOSE:-}

KINDS=(import import-gz load-docker load-docker-gz load-oci load-oci-gz build-cold build-cached
       build-parallel pull push tag untag rmi image-prune system-prune save run-d rm)
PROTECTED=(localhost/busybox:latest localhost/big:1 localhost/built:1)

declare -A SAVE_SUM   # image ID -> sha256 of its docker-archive save, taken when first seen
declare -A DURATION   # kind -> ms its last uninterrupted run took
declare -A KIND_RUNS KIND_KILLS
trials=0 kills=0 finished_first=0 repairs=0 repaired_items=0 losses=0 rerun_failures=0

log() { [ -z "$VERBOSE" ] || echo "  $*"; }
fail() { echo "trial $trials ($kind): LOSS: $*"; losses=$((losses + 1)); }

# ---- set-up: protected images, build contexts, the registry --------------------------------

setup() {
  stress_init
  start_stress_registry
  k import -q "$(busybox_rootfs)" localhost/busybox:latest >/dev/null || die "import busybox"
  big_rootfs 48 "$WORK/in/big.tar"
  k import -q "$WORK/in/big.tar" localhost/big:1 >/dev/null || die "import big"
  mkdir -p "$WORK/ctx-base" "$WORK/ctx-cold" "$WORK/ctx-multi"
  head -c 8M /dev/urandom > "$WORK/ctx-base/payload"
  printf 'FROM localhost/busybox\nCOPY payload /payload\nRUN echo built > /built\n' > "$WORK/ctx-base/Containerfile"
  k build -q -t localhost/built:1 "$WORK/ctx-base" >/dev/null || die "build built:1"
  head -c 16M /dev/urandom > "$WORK/ctx-cold/payload"
  printf 'FROM localhost/busybox\nARG N\nCOPY payload /payload\nRUN echo $N > /n && head -c 8000000 /dev/urandom > /r\n' \
    > "$WORK/ctx-cold/Containerfile"
  printf 'FROM localhost/busybox AS a\nARG N\nRUN echo $N > /a && head -c 4000000 /dev/urandom > /r\nFROM localhost/busybox\nCOPY --from=a /a /r /\nRUN cat /a\n' \
    > "$WORK/ctx-multi/Containerfile"
}

# A new image with a layer of MB random megabytes no other image shares, named NAME (or
# dangling when NAME is empty); prints its ID.
unique_image() {
  local mb=$1 name=${2:-}
  big_rootfs "$mb" "$WORK/in/unique.tar"
  k import -q "$WORK/in/unique.tar" $name
}

# Everything a previous trial left (containers, images other than the protected ones).
remove_victims() {
  k rm -a -f -t 0 >/dev/null 2>&1
  local keep id name
  # Extra names on protected images (tag, untag): rmi of one of several names only untags it.
  for name in $(k images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/victim/'); do
    k rmi "$name" >/dev/null 2>&1
  done
  keep=$(for n in "${PROTECTED[@]}"; do k inspect --format '{{.Id}}' "$n"; done)
  for id in $(k images -a -q --no-trunc); do
    grep -q "${id#sha256:}" <<<"$keep" || k rmi -f "$id" >/dev/null 2>&1
  done
}

# ---- the trial kinds: each sets CMD (kiln's arguments), TARGET_IDS (images it may remove)
# ---- and TARGET_NAMES (names it may remove or move)

prepare() {
  CMD=() TARGET_IDS="" TARGET_NAMES="" local_file=""
  local t=$trials f
  case $kind in
    import)    big_rootfs 24 "$WORK/in/imp.tar"; CMD=(import -q "$WORK/in/imp.tar" "victim/imp:$t") ;;
    import-gz) big_rootfs 24 "$WORK/in/imp.tar"; gzip -1 -f "$WORK/in/imp.tar"
               CMD=(import -q "$WORK/in/imp.tar.gz" "victim/imp:$t") ;;
    load-*)
      local fmt=docker-archive; [[ $kind == load-oci* ]] && fmt=oci-archive
      local id; id=$(unique_image 24 "victim/src:$t") || die "unique image"
      f=$WORK/in/load.tar; rm -f "$f" "$f.gz"
      k save -q --format "$fmt" -o "$f" "victim/src:$t" || die "save for load"
      if [[ $kind == *-gz ]]; then gzip -1 -f "$f"; f=$f.gz; fi
      k rmi -f "$id" >/dev/null
      CMD=(load -q -i "$f") ;;
    build-cold)   CMD=(build -q --build-arg "N=$t-$RANDOM" -t "victim/cold:$t" "$WORK/ctx-cold") ;;
    build-cached)
      CMD=(build -q --build-arg "N=cached-$t" -t "victim/cached:$t" "$WORK/ctx-cold")
      k "${CMD[@]}" >/dev/null || die "warming the cache" ;;
    build-parallel) CMD=(build -q --build-arg "N=$t-a" -t "victim/multi:$t" "$WORK/ctx-multi") ;;
    pull)
      local id; id=$(unique_image 24 "victim/pull:$t") || die "unique image"
      k push -q --tls-verify=false "victim/pull:$t" "$REG/pull:$t" || die "push for pull"
      k rmi -f "$id" >/dev/null
      CMD=(pull -q --tls-verify=false "$REG/pull:$t") ;;
    push)
      unique_image 24 "victim/push:$t" >/dev/null || die "unique image"
      CMD=(push -q --tls-verify=false "victim/push:$t" "$REG/push:$t") ;;
    tag)    CMD=(tag localhost/big:1 "victim/tag:$t") ;;
    untag)  k tag localhost/big:1 "victim/untag:$t" || die "tag"
            CMD=(untag localhost/big:1 "victim/untag:$t"); TARGET_NAMES="localhost/victim/untag:$t" ;;
    rmi)    TARGET_IDS=$(unique_image 8 "victim/rmi:$t") || die "unique image"
            CMD=(rmi "victim/rmi:$t"); TARGET_NAMES="localhost/victim/rmi:$t" ;;
    image-prune|system-prune)
      TARGET_IDS=$(unique_image 8 "") || die "unique image"
      if [ "$kind" = image-prune ]; then CMD=(image prune -f); else CMD=(system prune -f); fi ;;
    save)   rm -f "$WORK/out/save.tar"; CMD=(save -q -o "$WORK/out/save.tar" localhost/big:1) ;;
    run-d)  CMD=(run -d localhost/busybox sleep 1000) ;;
    rm)     RM_ID=$(k run -d localhost/busybox sleep 1000) || die "run -d for rm"
            CMD=(rm -f -t 0 "$RM_ID") ;;
  esac
}

# A rerun that fails only because the killed run already finished removing its target is
# the command's work done, not a failure.
rerun_already_done() {
  case $kind in
    untag|rmi) ! k image exists "${CMD[-1]}" ;;
    rm)        ! k container exists "$RM_ID" ;;
    *)         return 1 ;;
  esac
}

# ---- what must hold before and after ---------------------------------------------------------

snapshot_store() {
  PRE_IDS=$(k images -a -q --no-trunc | sort -u)
  PRE_NAMES=$(k images --format '{{.Repository}}:{{.Tag}} {{.ID}}' --no-trunc | grep -v '^<none>')
  local id
  for id in $PRE_IDS; do
    [ -n "${SAVE_SUM[$id]:-}" ] || SAVE_SUM[$id]=$(k save "$id" | sha256sum | cut -c1-64)
  done
}

check_or_repair() {
  k system check > "$WORK/check.out" 2>&1 && return 0
  repairs=$((repairs + 1))
  echo "trial $trials ($kind): system check found damage:"; sed 's/^/    /' "$WORK/check.out"
  k system check --repair > "$WORK/repair.out" 2>&1
  local rc=$? deleted id
  sed 's/^/    /' "$WORK/repair.out"
  [ $rc -eq 0 ] || fail "system check --repair did not restore a passing store"
  deleted=$(sed -n 's/^Deleted damaged image: //p' "$WORK/repair.out")
  for id in $deleted; do
    repaired_items=$((repaired_items + 1))
    grep -q "$id" <<<"$PRE_IDS" && ! grep -q "$id" <<<"$TARGET_IDS" && fail "repair deleted $id, which existed before the trial"
  done
}

verify_previous_images() {
  local id name
  for id in $PRE_IDS; do
    grep -q "${id#sha256:}" <<<"$TARGET_IDS" && continue
    [[ $kind == *prune ]] && ! grep -q "${id#sha256:}" <<<"$(k images -a -q --no-trunc)" && continue
    k inspect "$id" >/dev/null 2>&1 || { fail "image $id no longer inspects"; continue; }
    [ "$(k save "$id" | sha256sum | cut -c1-64)" = "${SAVE_SUM[$id]}" ] || fail "image $id saves differently"
  done
  while read -r name id; do
    [ -n "$name" ] || continue
    grep -qx "$name" <<<"$TARGET_NAMES" && continue
    [ "$(k inspect --format '{{.Id}}' "$name" 2>/dev/null)" = "${id#sha256:}" ] || fail "name $name lost or moved"
  done <<<"$PRE_NAMES"
  # One protected image runs (all of them at the end).
  local p=${PROTECTED[$((RANDOM % ${#PROTECTED[@]}))]}
  k run --rm "$p" true >/dev/null 2>&1 || fail "$p no longer runs"
}

run_killed() {
  local max=${DURATION[$kind]:-300} delay_ms pid rc
  delay_ms=$(( RANDOM % (max * 12 / 10 + 1) ))
  log "trial $trials: $kind: kill after ${delay_ms} ms: ${CMD[*]}"
  if [ "$kind" = build-parallel ]; then
    # A sibling build of the same Containerfile runs alongside and is not killed.
    "$KILN" --root "$STORE" --runroot "$RUNROOT" build -q --build-arg "N=$trials-b" -t "victim/multi-b:$trials" \
      "$WORK/ctx-multi" >/dev/null 2>"$WORK/sibling.err" &
    SIBLING=$!
  fi
  "$KILN" --root "$STORE" --runroot "$RUNROOT" "${CMD[@]}" >/dev/null 2>"$WORK/killed.err" &
  pid=$!
  sleep "$(printf '0.%03d' "$delay_ms")" 2>/dev/null || sleep "$((delay_ms / 1000))"
  kill -9 "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null; rc=$?
  if [ $rc -eq 137 ]; then kills=$((kills + 1)); KIND_KILLS[$kind]=$(( ${KIND_KILLS[$kind]:-0} + 1 ))
  else
    finished_first=$((finished_first + 1))
    [ $rc -eq 0 ] || fail "the command exited $rc before the kill: $(cat "$WORK/killed.err")"
  fi
  if [ -n "${SIBLING:-}" ]; then
    wait "$SIBLING" || fail "the sibling build failed: $(cat "$WORK/sibling.err")"
    SIBLING=
  fi
}

rerun() {
  local start rc
  # save refuses to overwrite an archive, as podman's does; the killed run may have left one.
  [ "$kind" != save ] || rm -f "$WORK/out/save.tar"
  start=$(now_ms)
  k "${CMD[@]}" >/dev/null 2>"$WORK/rerun.err"; rc=$?
  DURATION[$kind]=$(( $(now_ms) - start ))
  if [ $rc -ne 0 ] && ! rerun_already_done; then
    rerun_failures=$((rerun_failures + 1))
    echo "trial $trials ($kind): the rerun failed (exit $rc): $(cat "$WORK/rerun.err")"
  fi
}

main() {
  setup
  echo "kill trials: $TRIALS, STRESS_SEED=$SEED, store $STORE"
  for trials in $(seq 1 "$TRIALS"); do
    kind=${KINDS[$((RANDOM % ${#KINDS[@]}))]}
    KIND_RUNS[$kind]=$(( ${KIND_RUNS[$kind]:-0} + 1 ))
    remove_victims
    prepare
    snapshot_store
    run_killed
    check_or_repair
    verify_previous_images
    rerun
    k system check >/dev/null 2>&1 || fail "system check fails after the rerun: $(k system check 2>&1 | tail -3)"
    [ $((trials % 10)) -ne 0 ] || echo "after $trials trials: kills $kills, repairs $repairs, losses $losses, rerun failures $rerun_failures"
  done
  for p in "${PROTECTED[@]}"; do k run --rm "$p" true >/dev/null 2>&1 || fail "$p no longer runs"; done
  local per_kind="" kd
  for kd in "${KINDS[@]}"; do per_kind+=" $kd=${KIND_KILLS[$kd]:-0}/${KIND_RUNS[$kd]:-0}"; done
  echo "kills per kind (killed/trials):$per_kind"
  echo "trials: $TRIALS, kills: $kills, finished before the kill: $finished_first, repairs: $repairs" \
       "($repaired_items damaged images deleted), losses: $losses, rerun failures: $rerun_failures (STRESS_SEED=$SEED)"
  [ $losses -eq 0 ] && [ $rerun_failures -eq 0 ]
}

main
