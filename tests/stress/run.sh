#!/usr/bin/env bash
# Every stress campaign, one after the other. `make stress` runs the full campaign
# (200 kill trials, an 8-process soak of 5 minutes side by side with podman, disk full);
# `STRESS_SHORT=1` (make test) runs a short one: 10 trials, a 15-second soak, disk full.
set -uo pipefail
here=$(dirname "$0")
failed=()
if [ -n "${STRESS_SHORT:-}" ]; then
  trials=${STRESS_TRIALS:-10} soak=${SOAK_SECONDS:-15} podman=
else
  trials=${STRESS_TRIALS:-200} soak=${SOAK_SECONDS:-300} podman=1
fi
echo "== stress: $trials kill -9 trials"
bash "$here/kill-trials.sh" "$trials" || failed+=(kill-trials)
echo "== stress: soak, ${soak}s"
SOAK_PODMAN=$podman bash "$here/soak.sh" "$soak" || failed+=(soak)
echo "== stress: disk full"
bash "$here/disk-full.sh" || failed+=(disk-full)
if [ ${#failed[@]} -gt 0 ]; then echo "stress: FAILED: ${failed[*]}"; exit 1; fi
echo "stress: all campaigns passed"
