#!/usr/bin/env bats
# image analyze: the wasted 10 MB file, dive's efficiency, the CI gates' exit codes.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  CTX=$BATS_TEST_TMPDIR/ctx
  mkdir -p "$CTX"
  # 10 MB written by one step and deleted by the next: the classic waste.
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox
RUN head -c 10000000 /dev/zero > /big && echo keep > /keep
RUN rm /big
CF
  kiln build -q -t wasteful "$CTX" >/dev/null
}

@test "image analyze: the wasted 10 MB file, its layer and its bytes" {
  run -0 kiln image analyze --format json wasteful
  [ "$(echo "$output" | jq -r '.Inefficiencies[0].Path')" = /big ]
  [ "$(echo "$output" | jq -r '.Inefficiencies[0].WastedBytes')" = 10000000 ]
  [ "$(echo "$output" | jq -c '.Inefficiencies[0].Layers')" = '[1,2]' ]
  [ "$(echo "$output" | jq -r '.WastedBytes')" = 10000000 ]
  [ "$(echo "$output" | jq -r '.Layers[1].WastedBytes')" = 10000000 ]
  [ "$(echo "$output" | jq -r '.Layers[1].CreatedBy')" = '/bin/sh -c head -c 10000000 /dev/zero > /big && echo keep > /keep' ]
  [ "$(echo "$output" | jq -r '.Layers[1].Added')" = 2 ]
  [ "$(echo "$output" | jq -r '.Layers[2].Removed')" = 1 ]
  [ "$(echo "$output" | jq -r '.Layers[2].WastedBytes')" = 0 ]
  [ "$(echo "$output" | jq -r '.Layers | length')" = 3 ]

  # dive's efficiency by hand: every leaf path's smallest size over its cumulative size.
  # /big: 10000000 + 0 (min 0); every other path once. So
  #   efficiency = (S - 10000000) / S, S = the sum of all leaf sizes of all layers.
  local base keep S
  base=$(tar -tvf "$(busybox_tar)" | awk '$1 ~ /^-/ { s += $3 } END { print s }')
  keep=5  # "keep\n"
  S=$((base + 10000000 + keep))
  want=$(awk -v s="$S" 'BEGIN { printf "%.6f", (s - 10000000) / s }')
  got=$(echo "$output" | jq -r '.Efficiency' | awk '{ printf "%.6f", $1 }')
  [ "$got" = "$want" ] || { echo "efficiency $got, want $want"; return 1; }

  run -0 kiln image analyze wasteful
  [[ "$output" == *"wastedBytes: 10000000 bytes (10MB)"* ]]
  [[ "${lines[-1]}" =~ ^2\ +10MB\ +/big$ ]]
  run -0 kiln image analyze --format '{{.WastedBytes}} {{(index .Inefficiencies 0).Path}}' wasteful
  [ "$output" = "10000000 /big" ]
}

@test "image analyze --ci: dive's gates and exit codes" {
  run -1 kiln image analyze --ci --lowest-efficiency 0.9 --highest-wasted-bytes 5MB wasteful
  [[ "$output" == *"FAIL: highestWastedBytes: too many bytes wasted (wasted-bytes=10000000 > threshold=5000000)"* ]]
  [[ "$output" == *"FAIL: lowestEfficiency: image efficiency is too low"* ]]
  [[ "${lines[-1]}" == "Result:FAIL [Total:3] [Passed:0] [Failed:3] [Warn:0] [Skipped:0]" ]]
  run -0 kiln image analyze --ci --lowest-efficiency 0.1 --highest-wasted-bytes 20MB --highest-user-wasted-percent disabled wasteful
  [[ "${lines[-1]}" == "Result:PASS [Total:3] [Passed:2] [Failed:0] [Warn:0] [Skipped:1]" ]]
  # An image with nothing wasted passes dive's defaults.
  run -0 kiln image analyze --ci localhost/busybox
  [[ "$output" == *"efficiency: 100.0000 %"* ]]
  [[ "${lines[-1]}" == "Result:PASS"* ]]
  # Bad input.
  run -125 kiln image analyze --ci --highest-wasted-bytes lots wasteful
  [ "$output" = 'Error: invalid size "lots"' ]
  run -125 kiln image analyze --ci --lowest-efficiency 2 wasteful
  [ "$output" = 'Error: invalid --lowest-efficiency "2": a ratio from 0 to 1' ]
  run -125 kiln image analyze nosuch
  [ "$output" = "Error: nosuch: image not known" ]
}
