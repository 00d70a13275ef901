#!/usr/bin/env bash
# make test: every unit test (ctest), a short fuzz run of every fuzz target, every bats
# test; ends with one summary line "total: N passed, M failed".
set -uo pipefail
BUILD_DIR=${BUILD_DIR:-build}
KILN=$(readlink -f "$BUILD_DIR/kiln")
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed_steps=()

echo "== unit tests (ctest)"
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)") 2>&1 | tee "$logs/ctest.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=(unit)
unit_total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$logs/ctest.log" | tail -1)
unit_failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$logs/ctest.log" | tail -1)
unit_total=${unit_total:-0}; unit_failed=${unit_failed:-0}

echo "== fuzz (${FUZZ_SECONDS:-20}s per target)"
if ! bash scripts/fuzz.sh; then failed_steps+=(fuzz); fi

echo "== end-to-end tests (bats)"
KILN=$KILN bats --formatter tap tests/e2e 2>&1 | tee "$logs/bats.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=(e2e)
e2e_passed=$(grep -c '^ok ' "$logs/bats.log" || true)
e2e_failed=$(grep -c '^not ok ' "$logs/bats.log" || true)

echo "== stress (short; make stress runs the full campaign)"
if ! KILN=$KILN STRESS_SHORT=1 bash tests/stress/run.sh; then failed_steps+=(stress); fi

passed=$((unit_total - unit_failed + e2e_passed))
failed=$((unit_failed + e2e_failed))
if [ ${#failed_steps[@]} -gt 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a step failed without a counted test
echo "unit: $((unit_total - unit_failed)) passed, $unit_failed failed; e2e: $e2e_passed passed, $e2e_failed failed"
echo "total: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
