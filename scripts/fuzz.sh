#!/usr/bin/env bash
# Builds every fuzz/*_fuzz.cc as a libFuzzer binary (clang, ASan + UBSan, via the
# KILN_FUZZ CMake option) and runs each for FUZZ_SECONDS (default 20). Exits non-zero if
# a target finds a crash, leak, timeout or sanitizer error.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
max_len=${FUZZ_MAX_LEN:-2048}
jobs=${JOBS:-2}

targets=()
for src in fuzz/*_fuzz.cc; do
  [ -e "$src" ] || continue
  targets+=("$(basename "$src" .cc)")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets"
  exit 0
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DKILN_FUZZ=ON -DKILN_STATIC_DEPS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"

failed=()
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"  # grows across runs; never committed
  mkdir -p "$corpus"
  echo "fuzz: $target for ${seconds}s"
  if ! "$build_dir/$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=0 -artifact_prefix="$build_dir/$target-" "$corpus" \
      >"$build_dir/$target.log" 2>&1; then
    tail -n 40 "$build_dir/$target.log"
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (crash inputs in $build_dir/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran clean"
