#!/usr/bin/env bats
# kiln lint and build --check: every rule on a minimal bad Containerfile and on its fix, the
# output formats, suppressions, exit codes, the tutorial's §8.3 files and examples/.
load helpers

setup() {
  setup_store
  CTX=$BATS_TEST_TMPDIR/ctx
  mkdir -p "$CTX"
}

# lint_case RULE BAD GOOD: RULE fires on BAD (and no other rule does) and nothing fires on
# GOOD, both linted at --level info in a context with an ignore file.
lint_case() {
  local rule=$1 dir=$BATS_TEST_TMPDIR/case.$RANDOM
  mkdir -p "$dir"
  echo '.git' > "$dir/.containerignore"
  printf '%b' "$2" > "$dir/Containerfile"
  run kiln lint --level info --format json "$dir"
  [ "$status" -le 1 ] || { echo "$output"; return 1; }
  local rules
  rules=$(echo "$output" | jq -r '[.[].rule] | unique | join(",")')
  [ "$rules" = "$rule" ] || { echo "$rule: bad file gave [$rules]"; cat "$dir/Containerfile"; return 1; }
  printf '%b' "$3" > "$dir/Containerfile"
  run kiln lint --level info "$dir"
  [ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$rule: good file gave: $output"; cat "$dir/Containerfile"; return 1; }
}

@test "lint: each rule fires on a minimal bad file and is quiet on the fixed one" {
  local tested=()
  t() { lint_case "$@" && tested+=("$1"); }
  t MergeRunSteps 'FROM a:1\nRUN echo a\nRUN echo b\nUSER u\n' 'FROM a:1\nRUN echo a && echo b\nUSER u\n'
  t PackageCacheNotCleaned 'FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends x\nUSER u\n' \
    'FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\nUSER u\n'
  t PackageCacheNotCleaned 'FROM a:1\nRUN apk add curl\nUSER u\n' 'FROM a:1\nRUN apk add --no-cache curl\nUSER u\n'
  t PackageCacheNotCleaned 'FROM a:1\nRUN pip install x\nUSER u\n' 'FROM a:1\nRUN pip install --no-cache-dir x\nUSER u\n'
  t AptNoInstallRecommends 'FROM a:1\nRUN apt-get install -y x && rm -rf /var/lib/apt/lists/*\nUSER u\n' \
    'FROM a:1\nRUN apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\nUSER u\n'
  t CopyContextBeforeDependencies 'FROM a:1\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm cache clean --force\nUSER u\n' \
    'FROM a:1\nWORKDIR /app\nCOPY package.json .\nRUN npm ci && npm cache clean --force\nCOPY . .\nUSER u\n'
  t AddInsteadOfCopy 'FROM a:1\nADD app.sh /app/\nUSER u\n' 'FROM a:1\nADD rootfs.tar.gz /\nCOPY app.sh /app/\nUSER u\n'
  t BaseImageNotPinned 'FROM debian\nUSER u\n' 'FROM debian:12\nUSER u\n'
  t BaseImageNotPinned 'FROM debian:latest\nUSER u\n' 'FROM localhost/mine\nUSER u\n'
  t RunsAsRoot 'FROM a:1\nCMD ["x"]\n' 'FROM a:1\nUSER app\nCMD ["x"]\n'
  t RunsAsRoot 'FROM a:1\nUSER root\n' 'FROM a:1 AS b\nUSER 1000\nFROM b\nRUN true\n'
  t SecretsUsedInArgOrEnv 'FROM a:1\nARG API_TOKEN\nUSER u\n' 'FROM a:1\nARG VERSION\nUSER u\n'
  t SecretsUsedInArgOrEnv 'FROM a:1\nENV DB_PASSWORD=x\nUSER u\n' 'FROM a:1\nENV DB_HOST=x\nUSER u\n'
  t WorkdirRelativePath 'FROM a:1\nWORKDIR app\nUSER u\n' 'FROM a:1\nWORKDIR /app\nUSER u\n'
  t CdInRun 'FROM a:1\nRUN cd /src && make\nUSER u\n' 'FROM a:1\nWORKDIR /src\nRUN make\nUSER u\n'
  t JSONArgsRecommended 'FROM a:1\nUSER u\nCMD python app.py\n' 'FROM a:1\nUSER u\nCMD ["python", "app.py"]\n'
  t JSONArgsRecommended 'FROM a:1\nUSER u\nENTRYPOINT /app\n' 'FROM a:1\nUSER u\nENTRYPOINT ["/app"]\n'
  t ExposeInvalidPort 'FROM a:1\nEXPOSE 70000\nUSER u\n' 'FROM a:1\nEXPOSE 8080 53/udp\nUSER u\n'
  t StageNameCasing 'FROM a:1 AS Build\nFROM a:1\nUSER u\n' 'FROM a:1 AS build\nFROM a:1\nUSER u\n'
  t FromAsCasing 'FROM a:1 as build\nFROM a:1\nUSER u\n' 'FROM a:1 AS build\nFROM a:1\nUSER u\n'
  t NoEmptyContinuation 'FROM a:1\nRUN echo a \\\n\n    b\nUSER u\n' 'FROM a:1\nRUN echo a \\\n    b\nUSER u\n'
  t ConsistentInstructionCasing 'FROM a:1\nRUN true\nuser u\n' 'FROM a:1\nRUN true\nUSER u\n'
  t DuplicateStageName 'FROM a:1 AS x\nFROM a:1 AS x\nUSER u\n' 'FROM a:1 AS x\nFROM a:1 AS y\nUSER u\n'
  t ReservedStageName 'FROM a:1 AS scratch\nFROM a:1\nUSER u\n' 'FROM a:1 AS base\nFROM a:1\nUSER u\n'
  t MaintainerDeprecated 'FROM a:1\nMAINTAINER me\nUSER u\n' 'FROM a:1\nLABEL org.opencontainers.image.authors=me\nUSER u\n'
  t UndefinedArgInFrom 'FROM a:${V}\nUSER u\n' 'ARG V=1\nFROM a:${V}\nUSER u\n'
  t UndefinedVar 'ARG V=1\nFROM a:1\nLABEL v=$V\nUSER u\n' 'ARG V=1\nFROM a:1\nARG V\nLABEL v=$V\nUSER u\n'
  t MultipleInstructionsDisallowed 'FROM a:1\nUSER u\nCMD ["a"]\nCMD ["b"]\n' 'FROM a:1\nUSER u\nCMD ["b"]\n'
  t LegacyKeyValueFormat 'FROM a:1\nENV A 1\nUSER u\n' 'FROM a:1\nENV A=1\nUSER u\n'

  # NoContainerignore needs a context that holds .git: without an ignore file, then with one.
  mkdir -p "$CTX/.git"
  printf 'FROM a:1\nCOPY . /app\nUSER u\n' > "$CTX/Containerfile"
  run -0 kiln lint "$CTX"
  [[ "$output" == *"warning: NoContainerignore: COPY sends .git from the context: add a .containerignore" ]]
  echo .git > "$CTX/.containerignore"
  run -0 kiln lint "$CTX"
  [ -z "$output" ]
  tested+=(NoContainerignore)

  # Every rule kiln has was tested above.
  run -0 kiln lint --list-rules
  for id in $(echo "$output" | awk '{print $1}'); do
    [[ " ${tested[*]} " == *" $id "* ]] || { echo "rule $id has no e2e case"; return 1; }
  done
}

@test "lint: a well-written file prints nothing and exits 0" {
  mkdir -p "$CTX/.git" "$CTX/src"
  printf '.git\n' > "$CTX/.containerignore"
  cat > "$CTX/Containerfile" <<'CF'
FROM docker.io/library/debian:12-slim AS build
WORKDIR /src
COPY requirements.txt .
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
COPY src/ ./src/
FROM docker.io/library/debian:12-slim
WORKDIR /app
COPY --from=build /src/src /app
USER nobody
CMD ["python3", "/app/main.py"]
CF
  run -0 kiln lint "$CTX"
  [ -z "$output" ]
  run -0 kiln lint --level info "$CTX"
  [ -z "$output" ]
  run -0 kiln lint --format json "$CTX"
  [ "$output" = "[]" ]
  run -0 kiln build --check "$CTX"
  [ -z "$output" ]
  # Nothing was built: the store holds no image.
  run -0 kiln images -q
  [ -z "$output" ]
}

@test "lint: output formats, levels, exit codes" {
  printf 'FROM a:1\nRUN cd /x\nEXPOSE 99999\nuser u\n' > "$CTX/Containerfile"
  run -1 kiln lint "$CTX"
  [ "${lines[0]}" = "$CTX/Containerfile:2:1: warning: CdInRun: cd /x in RUN: use WORKDIR" ]
  [ "${lines[1]}" = "$CTX/Containerfile:3:8: error: ExposeInvalidPort: EXPOSE 99999: not a port from 1 to 65535" ]
  [ "${#lines[@]}" -eq 2 ]  # ConsistentInstructionCasing is info
  run -1 kiln lint --level info "$CTX"
  [ "${lines[2]}" = "$CTX/Containerfile:4:1: info: ConsistentInstructionCasing: Command 'user' should match the case of the command majority (uppercase)" ]
  run -1 kiln lint --level error "$CTX"
  [ "${#lines[@]}" -eq 1 ]
  run -1 kiln lint --format json "$CTX"
  [ "$(echo "$output" | jq -c '.[1]')" = "{\"file\":\"$CTX/Containerfile\",\"line\":3,\"column\":8,\"severity\":\"error\",\"rule\":\"ExposeInvalidPort\",\"message\":\"EXPOSE 99999: not a port from 1 to 65535\"}" ]
  run -1 kiln lint --format sarif "$CTX"
  [ "$(echo "$output" | jq -r '.version')" = 2.1.0 ]
  [ "$(echo "$output" | jq -r '.runs[0].results[1].ruleId')" = ExposeInvalidPort ]
  [ "$(echo "$output" | jq -r '.runs[0].results[1].level')" = error ]
  [ "$(echo "$output" | jq -r '.runs[0].results[1].locations[0].physicalLocation.region.startLine')" = 3 ]
  # -f names the file (relative to the working directory, as build's), - is stdin.
  cd "$CTX"
  run -1 kiln lint -f Containerfile
  [ "${lines[0]}" = "Containerfile:2:1: warning: CdInRun: cd /x in RUN: use WORKDIR" ]
  run -0 kiln lint -f - < <(printf 'FROM a:1\nUSER u\nCMD sh\n')
  [ "$output" = "-:3:1: warning: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals" ]
  # build --check: the same findings and exit code, nothing built.
  run -1 kiln build --check "$CTX"
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[1]}" == *"error: ExposeInvalidPort"* ]]
  # Bad input: podman's exit code and an Error: line.
  run -125 kiln lint --format xml "$CTX"
  [ "$output" = 'Error: unknown format "xml": must be text, json or sarif' ]
  run -125 kiln lint --level loud "$CTX"
  [ "$output" = 'Error: invalid level "loud": must be info, warning or error' ]
  # The Containerfile and context as build finds them, with build's errors.
  run -125 kiln lint "$BATS_TEST_TMPDIR/none"
  [ "$output" = "Error: context must be a directory: \"$BATS_TEST_TMPDIR/none\"" ]
  mkdir "$BATS_TEST_TMPDIR/empty"
  run -125 kiln lint "$BATS_TEST_TMPDIR/empty"
  [ "$output" = "Error: stat $BATS_TEST_TMPDIR/empty/Dockerfile: no such file or directory" ]
  run -125 kiln build --check "$BATS_TEST_TMPDIR/empty"
  [ "$output" = "Error: stat $BATS_TEST_TMPDIR/empty/Dockerfile: no such file or directory" ]
  printf 'FROM a:1\nFOO bar\n' > "$CTX/Containerfile"
  run -125 kiln lint "$CTX"
  [ "$output" = "Error: $CTX/Containerfile:2: unknown instruction: FOO" ]
}

@test "lint: --explain, ignore comments, check directive and the config file" {
  run -0 kiln lint --explain MergeRunSteps
  [ "${lines[0]}" = "MergeRunSteps (warning)" ]
  [ "${lines[1]}" = "  why: each RUN adds a layer; consecutive RUNs can be one" ]
  [ "${lines[2]}" = "  fix: join the commands with && in one RUN" ]
  [ "${#lines[@]}" -gt 3 ]
  run -125 kiln lint --explain NoSuchRule
  [ "$output" = 'Error: unknown lint rule "NoSuchRule"' ]

  printf 'FROM a:1\nRUN a\n# kiln-lint ignore=MergeRunSteps,CdInRun\nRUN cd /b\nRUN c\nUSER u\n' > "$CTX/Containerfile"
  run -0 kiln lint "$CTX"
  [ "$output" = "$CTX/Containerfile:5:1: warning: MergeRunSteps: RUN follows the RUN at line 4: join them with && into one layer" ]
  sed -i '1i # check=skip=MergeRunSteps' "$CTX/Containerfile"
  run -0 kiln lint "$CTX"
  [ -z "$output" ]

  printf 'FROM a:1\nRUN a\nRUN b\n' > "$CTX/Containerfile"
  printf 'ignore = ["RunsAsRoot"]\n[severity]\nMergeRunSteps = "error"\n' > "$CTX/.kiln-lint.toml"
  run -1 kiln lint "$CTX"
  [ "$output" = "$CTX/Containerfile:3:1: error: MergeRunSteps: RUN follows the RUN at line 2: join them with && into one layer" ]
  printf 'ignore = ["Nope"]\n' > "$BATS_TEST_TMPDIR/other.toml"
  run -125 kiln lint --config "$BATS_TEST_TMPDIR/other.toml" "$CTX"
  [ "$output" = "Error: lint configuration \"$BATS_TEST_TMPDIR/other.toml\": unknown rule in ignore: Nope" ]
}

# The tutorial's §8.3 pair (../shared/seed), as written there without its ← notes.
@test "lint: the tutorial's 8.3 bad and good Containerfiles" {
  mkdir -p "$CTX/bad" "$CTX/good"
  cat > "$CTX/bad/Containerfile" <<'CF'
FROM python:3.11-slim
COPY . /app
WORKDIR /app
RUN pip install -r requirements.txt
CMD ["python", "app.py"]
CF
  cat > "$CTX/good/Containerfile" <<'CF'
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "app.py"]
CF
  cd "$CTX"
  run -0 kiln lint bad
  [ "${lines[0]}" = "bad/Containerfile:1:1: warning: RunsAsRoot: the final stage sets no USER: the image runs as root" ]
  [ "${lines[1]}" = "bad/Containerfile:2:1: warning: CopyContextBeforeDependencies: COPY of the whole context before 'pip install' (line 4): any change to any file re-runs it" ]
  [ "${lines[2]}" = "bad/Containerfile:4:1: warning: PackageCacheNotCleaned: pip install without --no-cache-dir keeps its download cache in the layer" ]
  [ "${#lines[@]}" -eq 3 ]
  # The good order fixes the cache order; the section does not address root or pip's cache.
  run -0 kiln lint good
  [ "${lines[0]}" = "good/Containerfile:1:1: warning: RunsAsRoot: the final stage sets no USER: the image runs as root" ]
  [ "${lines[1]}" = "good/Containerfile:4:1: warning: PackageCacheNotCleaned: pip install without --no-cache-dir keeps its download cache in the layer" ]
  [ "${#lines[@]}" -eq 2 ]
}

@test "lint: examples/ lint clean" {
  for ex in "$REPO_ROOT"/examples/*/; do
    run -0 kiln lint --level info "$ex"
    [ -z "$output" ] || { echo "$ex: $output"; return 1; }
  done
}

@test "lint: a Containerfile that is not UTF-8 still gives JSON and SARIF (found by fuzz/lint_fuzz)" {
  printf 'FROM "\xf0\xd4"+\n' > "$CTX/Containerfile"
  echo .git > "$CTX/.containerignore"
  run -0 kiln lint --format json "$CTX"
  python3 -c 'import json,sys; f=json.loads(sys.argv[1]); assert any(x["rule"]=="BaseImageNotPinned" for x in f), f' "$output"
  run -0 kiln lint --format sarif "$CTX"
  python3 -c 'import json,sys; json.loads(sys.argv[1])' "$output"
}
