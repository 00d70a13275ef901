#!/usr/bin/env bash
# Builds every fuzz/*_fuzz.cc as a libFuzzer binary (clang, ASan + UBSan, via the
# KILN_FUZZ CMake option) and runs each for FUZZ_SECONDS (default 20), one after the other.
# Exits non-zero if a target finds a crash, leak, timeout or sanitizer error.
#
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh       what `make fuzz` does (10 minutes a target)
#   FUZZ_TARGETS="reference_fuzz auth_json_fuzz" only these
#   FUZZ_REPORT=docs/fuzz-results.md            where the figures table goes (default
#                                               $build_dir/fuzz-results.md)
#   FUZZ_PARALLEL=2                             targets run at once (default 1); each still
#                                               gets FUZZ_SECONDS of wall time
#
# The figures are libFuzzer's own: executions (stat::number_of_executed_units, from
# -print_final_stats=1), executions per second, the edges covered (the last "cov:" of the
# log), the corpus size and peak RSS. The corpus in $build_dir/corpus/<target> grows
# across runs and is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
max_len=${FUZZ_MAX_LEN:-2048}
jobs=${JOBS:-2}
parallel=${FUZZ_PARALLEL:-1}
report=${FUZZ_REPORT:-$build_dir/fuzz-results.md}

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  for src in fuzz/*_fuzz.cc; do
    [ -e "$src" ] || continue
    targets+=("$(basename "$src" .cc)")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets"
  exit 0
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DKILN_FUZZ=ON -DKILN_STATIC_DEPS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"

# stat NAME LOG: a "stat::NAME: value" line of libFuzzer's final stats.
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

# Seeds: small valid inputs of each format (fuzz/seeds.py), read beside the corpus.
rm -rf "$build_dir/seeds"
python3 fuzz/seeds.py "$build_dir/seeds"

# run_target TARGET: fuzzes it for $seconds and writes its table row to $build_dir/TARGET.row.
run_target() {
  local target=$1 corpus="$build_dir/corpus/$1" log="$build_dir/$1.log" result=clean seeds=()
  mkdir -p "$corpus"
  [ -d "$build_dir/seeds/$target" ] && seeds=("$build_dir/seeds/$target")
  echo "fuzz: $target for ${seconds}s"
  if ! "$build_dir/$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build_dir/$target-" "$corpus" "${seeds[@]}" \
      >"$log" 2>&1; then
    tail -n 40 "$log"
    result=FAILED
  fi
  local cov corp
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  echo "| $target | $seconds | $(stat number_of_executed_units "$log") | $(stat average_exec_per_sec "$log") | ${cov:-?} | ${corp:-?} | $(stat peak_rss_mb "$log") | $result |" \
    >"$build_dir/$target.row"
}

for target in "${targets[@]}"; do
  rm -f "$build_dir/$target.row"
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_target "$target" &
done
wait

rows=()
failed=()
for target in "${targets[@]}"; do
  row=$(cat "$build_dir/$target.row" 2>/dev/null || echo "| $target | $seconds | ? | ? | ? | ? | ? | FAILED |")
  rows+=("$row")
  [[ "$row" == *"| clean |" ]] || failed+=("$target")
done

mkdir -p "$(dirname "$report")"
{
  echo "<!-- written by scripts/fuzz.sh; $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(clang++ --version | head -n 1), $parallel at once, load average at the end $(cut -d' ' -f1-3 /proc/loadavg) -->"
  echo "| target | seconds | executions | exec/s | edges (cov) | corpus | peak RSS MB | result |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
} >"$report"
echo "fuzz: figures in $report"

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (crash inputs in $build_dir/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran clean"
