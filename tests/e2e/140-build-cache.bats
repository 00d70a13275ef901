#!/usr/bin/env bats
# The layer cache: the tutorial's matching and invalidation rules (§8), each asserting which
# steps print "Using cache" and that a cached result is the image a cold build makes.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  CTX=$TEST_ROOT/ctx
  mkdir -p "$CTX/src"
  echo "flask" > "$CTX/requirements.txt"
  echo "print('v1')" > "$CTX/src/app.py"
  echo "ignored" > "$CTX/debug.log"
  printf '*.log\n' > "$CTX/.containerignore"
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox
ARG VERSION=1
WORKDIR /app
COPY requirements.txt .
RUN wc -l requirements.txt > deps.txt
COPY src/ ./src/
RUN echo "version $VERSION" > version.txt
CMD ["cat", "/app/version.txt"]
CF
}

# The step numbers (2..8) that printed "Using cache", space separated.
cached_steps() {
  awk '/^STEP [0-9]+\// { split($2, a, "/"); step = a[1] } /^--> Using cache/ { printf "%s ", step }' <<<"$1" | sed 's/ $//'
}

# What must be identical between a cached and a cold build.
fingerprint() {
  kiln inspect --format '{{json .Config}} {{json .RootFS.Layers}}' "$1"
}

@test "cache: the same context twice reuses every step and gives the same image" {
  run -0 kiln build -t app "$CTX"
  first=${lines[-1]}
  [ -z "$(cached_steps "$output")" ]
  run -0 kiln build -t app "$CTX"
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
  [ "${lines[-1]}" = "$first" ]
  grep -qx -- "--> Using cache $first" <<<"$output"
}

@test "cache: a touched but unchanged file (mtime only) still hits" {
  kiln build -q -t app "$CTX" >/dev/null
  touch -d '2001-01-01' "$CTX/src/app.py" "$CTX/requirements.txt"
  run -0 kiln build -t app "$CTX"
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
}

@test "cache: a changed byte misses from that COPY on, and equals a cold build" {
  kiln build -q --timestamp 0 -t app "$CTX" >/dev/null
  echo "print('v2')" > "$CTX/src/app.py"
  run -0 kiln build --timestamp 0 -t app "$CTX"
  [ "$(cached_steps "$output")" = "2 3 4 5" ]
  warm=${lines[-1]}
  run -0 kiln run --rm app cat /app/src/app.py
  [ "$output" = "print('v2')" ]
  # With fixed timestamps a cold build makes exactly the same image: same ID, so the same
  # config, history and layer digests.
  cold=$(kiln build -q --no-cache --timestamp 0 "$CTX")
  [ "$cold" = "$warm" ]
}

@test "cache: a changed ignored file still hits" {
  kiln build -q -t app "$CTX" >/dev/null
  echo "more noise" >> "$CTX/debug.log"
  run -0 kiln build -t app "$CTX"
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
}

@test "cache: a changed ARG misses only from the first step that uses it" {
  kiln build -q -t app "$CTX" >/dev/null
  run -0 kiln build --build-arg VERSION=2 -t app "$CTX"
  # ARG and WORKDIR are unchanged; every RUN sees the build args, so the first RUN misses.
  [ "$(cached_steps "$output")" = "2 3 4" ]
  run -0 kiln run --rm app
  [ "$output" = "version 2" ]
}

@test "cache: --no-cache rebuilds every step but records the result for the next build" {
  kiln build -q -t app "$CTX" >/dev/null
  run -0 kiln build --no-cache -t app "$CTX"
  [ -z "$(cached_steps "$output")" ]
  id=${lines[-1]}
  run -0 kiln build -t app "$CTX"
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
  [ "${lines[-1]}" = "$id" ]
}

@test "cache: --layers=false neither uses nor records the cache" {
  kiln build -q -t app "$CTX" >/dev/null
  run -0 kiln build --layers=false -t flat "$CTX"
  [ -z "$(cached_steps "$output")" ]
}

@test "cache: a rebuilt base image (same name, new ID) misses from FROM on" {
  kiln build -q -t app "$CTX" >/dev/null
  printf 'FROM localhost/busybox\nRUN echo new > /new-base\n' > "$TEST_ROOT/Base"
  kiln build -q -f "$TEST_ROOT/Base" -t localhost/busybox:latest "$TEST_ROOT" >/dev/null
  run -0 kiln build -t app "$CTX"
  [ -z "$(cached_steps "$output")" ]
  run -0 kiln run --rm app cat /new-base
  [ "$output" = new ]
}

@test "cache: COPY --from of a changed stage misses at that COPY" {
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox AS builder
COPY src/app.py /built
FROM localhost/busybox
RUN echo base-step > /b
COPY --from=builder /built /app.py
CF
  kiln build -q -t ms "$CTX" >/dev/null
  run -0 kiln build -t ms "$CTX"
  [ "$(grep -c -- '--> Using cache' <<<"$output")" = 3 ]
  echo "print('changed')" > "$CTX/src/app.py"
  run -0 kiln build -t ms "$CTX"
  # builder's COPY misses; the final stage's RUN hits, its COPY --from misses
  [ "$(grep -c -- '--> Using cache' <<<"$output")" = 1 ]
  run -0 kiln run --rm ms cat /app.py
  [ "$output" = "print('changed')" ]
}

@test "cache: the context copied to another directory (new inodes and mtimes) still hits" {
  kiln build -q -t app "$CTX" >/dev/null
  cp -r "$CTX" "$TEST_ROOT/ctx-copy"
  touch "$TEST_ROOT"/ctx-copy/src/app.py
  run -0 kiln build -t app "$TEST_ROOT/ctx-copy"
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
}

@test "cache: entries go with their images (image prune, system reset)" {
  kiln build -q -t app "$CTX" >/dev/null
  kiln rmi app >/dev/null
  kiln image prune -f >/dev/null
  run -0 kiln build -t app "$CTX"
  [ -z "$(cached_steps "$output")" ]
}

@test "cache: SIGKILL during parallel stages leaves a store that builds and caches correctly" {
  cat > "$CTX/Containerfile" <<'CF'
FROM localhost/busybox AS a
RUN echo a1 > /a1
RUN sleep 0.4 && echo a2 > /a2
COPY src/ /src-a/
FROM localhost/busybox AS b
RUN echo b1 > /b1
RUN sleep 0.4 && echo b2 > /b2
FROM localhost/busybox
COPY --from=a /a1 /a2 /
COPY --from=b /b1 /b2 /
CF
  for delay in 0.1 0.3 0.5 0.7; do
    kiln build --jobs 2 -t par "$CTX" >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    pkill -9 -f "sleep 0.4" 2>/dev/null || true
  done
  run -0 kiln build --jobs 2 -t par "$CTX"
  run -0 kiln run --rm par cat /a1 /a2 /b1 /b2
  [ "$output" = $'a1\na2\nb1\nb2' ]
  run -0 kiln build --jobs 2 -t par "$CTX"
  [ "$(grep -c -- '--> Using cache' <<<"$output")" = 7 ]  # every step but the FROMs
}

@test "cache: SIGKILL during a build leaves no entry pointing at a missing snapshot" {
  for delay in 0.2 0.5 0.9; do
    printf 'FROM localhost/busybox\nRUN echo one > /one\nRUN sleep 1 && echo two > /two\nCOPY src/ /src/\n' > "$CTX/Containerfile"
    kiln build -t crash "$CTX" >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    pkill -9 -f "sleep 1" 2>/dev/null || true
  done
  run -0 kiln build -t crash "$CTX"
  run -0 kiln run --rm crash cat /one /two /src/app.py
  [ "$output" = $'one\ntwo\nprint(\'v1\')' ]
  # Every recorded entry points at an image whose layers' snapshots exist.
  run -0 kiln build -t crash "$CTX"
  [ "$(grep -c -- '--> Using cache' <<<"$output")" = 3 ]
}

# Rows of the stat cache whose path starts with $1.
stat_rows() {
  python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM stat_cache WHERE substr(path, 1, length(?)) = ?", (sys.argv[2], sys.argv[2])).fetchone()[0])' \
    "$TEST_ROOT/root/kiln.db" "$1"
}

@test "cache: the stat cache keeps each context's files apart; system prune forgets it" {
  mkdir -p "$TEST_ROOT/ctx2"
  cp -r "$CTX/." "$TEST_ROOT/ctx2/"
  kiln build -q -t one "$CTX" >/dev/null
  kiln build -q -t two "$TEST_ROOT/ctx2" >/dev/null
  [ "$(stat_rows "$CTX/")" -gt 0 ]
  [ "$(stat_rows "$TEST_ROOT/ctx2/")" -gt 0 ]
  # a changed file in the second context (same path below it) misses there only
  echo "print('v2')" > "$TEST_ROOT/ctx2/src/app.py"
  run -0 kiln build -t two "$TEST_ROOT/ctx2"
  [ "$(cached_steps "$output")" != "2 3 4 5 6 7 8" ]
  run -0 kiln run --rm two cat /app/src/app.py
  [ "$output" = "print('v2')" ]
  run -0 kiln run --rm one cat /app/src/app.py
  [ "$output" = "print('v1')" ]
  run -0 kiln build -t one "$CTX"
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
  kiln system prune -f >/dev/null
  [ "$(stat_rows /)" -eq 0 ]
  run -0 kiln build -t one "$CTX"  # hashes the context again: the same layer cache hits
  [ "$(cached_steps "$output")" = "2 3 4 5 6 7 8" ]
  [ "$(stat_rows "$CTX/")" -gt 0 ]
}
