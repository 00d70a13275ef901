#!/usr/bin/env bats
# kiln build: podman's output, the Containerfile language, multi-stage builds, ignore files,
# errors and exit codes. The layer cache has its own file (140-build-cache.bats).
load helpers

setup() {
  setup_build_context
}


# The runtime config of an image as compact JSON.
config_of() { kiln inspect --format '{{json .Config}}' "$1"; }

@test "build: single stage output is podman's (STEP, -->, COMMIT, Successfully tagged, ID)" {
  containerfile <<'CF'
FROM localhost/busybox
ENV A=b
RUN echo hello from run
CMD ["sh"]
CF
  run -0 kiln build -t demo:1 "$CTX"
  echo "$output"
  [ "${lines[0]}" = "STEP 1/4: FROM localhost/busybox" ]
  [ "${lines[1]}" = "STEP 2/4: ENV A=b" ]
  [[ "${lines[2]}" =~ ^--\>\ [0-9a-f]{11}$ ]]
  [ "${lines[3]}" = "STEP 3/4: RUN echo hello from run" ]
  [ "${lines[4]}" = "hello from run" ]
  [[ "${lines[5]}" =~ ^--\>\ [0-9a-f]{11}$ ]]
  [ "${lines[6]}" = "STEP 4/4: CMD [\"sh\"]" ]
  [ "${lines[7]}" = "COMMIT demo:1" ]
  [[ "${lines[8]}" =~ ^--\>\ [0-9a-f]{11}$ ]]
  [ "${lines[9]}" = "Successfully tagged localhost/demo:1" ]
  [[ "${lines[10]}" =~ ^[0-9a-f]{64}$ ]]
  [ "${lines[8]#--> }" = "${lines[10]:0:11}" ]
  run -0 kiln images --format '{{.Repository}}:{{.Tag}}' localhost/demo
  [ "$output" = "localhost/demo:1" ]
}

@test "build: -q prints only the image ID; --iidfile writes sha256:ID" {
  containerfile <<'CF'
FROM localhost/busybox
RUN echo quiet-run-output
CF
  run -0 kiln build -q --iidfile "$TEST_ROOT/iid" "$CTX"
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  [ "$(cat "$TEST_ROOT/iid")" = "sha256:$output" ]
}

@test "build: multi-stage output, config, history and layers as podman makes them" {
  mkdir -p "$CTX/app"
  echo 'print(1)' > "$CTX/app/main.py"
  mkdir -p "$TEST_ROOT/stuff" && echo stuff > "$TEST_ROOT/stuff/s.txt"
  tar -C "$TEST_ROOT/stuff" -czf "$CTX/stuff.tar.gz" s.txt
  containerfile <<'CF'
FROM localhost/busybox AS builder
ARG GREETING=hi
RUN echo "$GREETING from builder" > /built.txt

FROM localhost/busybox
ARG VERSION=1.0
ENV APP_HOME=/app PATH=/usr/local/bin:/bin
LABEL org.example.version=$VERSION maintainer="peer"
WORKDIR /app
RUN echo "shell form $VERSION" > /app/shell.txt
RUN ["/bin/sh", "-c", "echo exec form > /app/exec.txt"]
COPY app/ /app/src/
ADD stuff.tar.gz /opt/stuff/
COPY --from=builder /built.txt /app/built.txt
EXPOSE 8080/tcp 9090
USER nobody
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/built.txt"]
CF
  run -0 kiln build -t demo:1 "$CTX"
  echo "$output"
  # The step lines of the reference run (../shared/reference/build-multistage.out), IDs aside.
  diff <(grep -E '^\[|^Successfully' <<<"$output" | sed 's/[0-9a-f]\{11\}$/ID/') - <<'OUT'
[1/2] STEP 1/3: FROM localhost/busybox AS builder
[1/2] STEP 2/3: ARG GREETING=hi
[1/2] STEP 3/3: RUN echo "$GREETING from builder" > /built.txt
[2/2] STEP 1/14: FROM localhost/busybox
[2/2] STEP 2/14: ARG VERSION=1.0
[2/2] STEP 3/14: ENV APP_HOME=/app PATH=/usr/local/bin:/bin
[2/2] STEP 4/14: LABEL org.example.version=$VERSION maintainer="peer"
[2/2] STEP 5/14: WORKDIR /app
[2/2] STEP 6/14: RUN echo "shell form $VERSION" > /app/shell.txt
[2/2] STEP 7/14: RUN ["/bin/sh", "-c", "echo exec form > /app/exec.txt"]
[2/2] STEP 8/14: COPY app/ /app/src/
[2/2] STEP 9/14: ADD stuff.tar.gz /opt/stuff/
[2/2] STEP 10/14: COPY --from=builder /built.txt /app/built.txt
[2/2] STEP 11/14: EXPOSE 8080/tcp 9090
[2/2] STEP 12/14: USER nobody
[2/2] STEP 13/14: ENTRYPOINT ["/bin/sh", "-c"]
[2/2] STEP 14/14: CMD ["cat /app/built.txt"]
[2/2] COMMIT demo:1
Successfully tagged localhost/demo:1
OUT
  run -0 config_of demo:1
  [ "$output" = '{"User":"nobody","ExposedPorts":{"8080/tcp":{},"9090/tcp":{}},"Env":["PATH=/usr/local/bin:/bin","APP_HOME=/app"],"Entrypoint":["/bin/sh","-c"],"Cmd":["cat /app/built.txt"],"WorkingDir":"/app","Labels":{"io.buildah.version":"1.28.2","maintainer":"peer","org.example.version":"1.0"}}' ]
  run -0 kiln history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' demo:1
  echo "$output"
  [[ "${lines[0]}" == '/bin/sh -c #(nop) CMD ["cat /app/built.txt"]|FROM '* ]]
  grep -qx '|1 VERSION=1.0 /bin/sh -c echo "shell form $VERSION" > /app/shell.txt|FROM [0-9a-f]\{12\}' <<<"$output"
  grep -qx '|1 VERSION=1.0 /bin/sh -c \["/bin/sh", "-c", "echo exec form > /app/exec.txt"\]|FROM [0-9a-f]\{12\}' <<<"$output"
  grep -qx '/bin/sh -c #(nop) ARG VERSION|FROM localhost/busybox:latest' <<<"$output"
  grep -qx '/bin/sh -c #(nop) COPY dir:[0-9a-f]\{64\} in /app/src/ |FROM [0-9a-f]\{12\}' <<<"$output"
  grep -qx '/bin/sh -c #(nop) ADD file:[0-9a-f]\{64\} in /opt/stuff/ |FROM [0-9a-f]\{12\}' <<<"$output"
  # base + 2 RUN + 3 COPY/ADD layers
  run -0 kiln inspect --format '{{len .RootFS.Layers}} {{index .Annotations "org.opencontainers.image.base.name"}}' demo:1
  [ "$output" = "6 localhost/busybox:latest" ]
  run -0 kiln run --rm demo:1
  [ "$output" = "hi from builder" ]
  run -0 kiln run --rm --entrypoint '' demo:1 cat /app/shell.txt /app/exec.txt /app/src/main.py /opt/stuff/s.txt
  [ "$output" = $'shell form 1.0\nexec form\nprint(1)\nstuff' ]
  # The builder stage's image stays behind as a dangling <none> image.
  run -0 kiln images --format '{{.Repository}}' --filter dangling=true
  [ "$output" = "<none>" ]
}

@test "build: RUN failure exits with the command's status and podman's message" {
  containerfile <<'CF'
FROM localhost/busybox
RUN exit 3
CF
  run -3 kiln build -t bad "$CTX"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN exit 3": while running runtime: exit status 3' ]
  run -0 kiln images --format '{{.Repository}}' localhost/bad
  [ -z "$output" ]
}

@test "build: a missing COPY source names the path, exit 125, nothing tagged" {
  containerfile <<'CF'
FROM localhost/busybox
COPY nosuch.txt /x
CF
  run -125 kiln build -t bad "$CTX"
  [ "${lines[-1]}" = "Error: building at STEP \"COPY nosuch.txt /x\": checking on sources under \"$CTX\": copier: stat: \"/nosuch.txt\": no such file or directory" ]
}

@test "build: bad Containerfiles give file:line errors, exit 125" {
  printf 'FROM localhost/busybox\nFOO bar\n' > "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  [[ "$output" == *"Containerfile:2"*"unknown instruction: FOO"* ]]
  printf 'RUN echo no from\n' > "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  [[ "$output" == Error:* ]]
  rm "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  # podman 4.3.1's text: it stats the Dockerfile it falls back to.
  [ "$output" = "Error: stat $CTX/Dockerfile: no such file or directory" ]
}

@test "build: Containerfile preferred over Dockerfile; -f relative to the cwd; -f - reads stdin" {
  printf 'FROM localhost/busybox\nLABEL from=containerfile\n' > "$CTX/Containerfile"
  printf 'FROM localhost/busybox\nLABEL from=dockerfile\n' > "$CTX/Dockerfile"
  run -0 kiln build -q -t pick "$CTX"
  [ "$(kiln inspect --format '{{index .Config.Labels "from"}}' pick)" = containerfile ]
  printf 'FROM localhost/busybox\nLABEL from=prod\n' > "$TEST_ROOT/Containerfile.prod"
  cd "$TEST_ROOT"
  run -0 kiln build -q -f Containerfile.prod -t prod ctx
  [ "$(kiln inspect --format '{{index .Config.Labels "from"}}' prod)" = prod ]
  run -0 kiln build -q -f - -t stdin ctx <<<$'FROM localhost/busybox\nLABEL from=stdin'
  [ "$(kiln inspect --format '{{index .Config.Labels "from"}}' stdin)" = stdin ]
}

@test "build: several -t names, image build alias, --label and --annotation" {
  printf 'FROM localhost/busybox\nRUN true\n' > "$CTX/Containerfile"
  run -0 kiln image build -t myapp:1.0 -t myapp:latest --label team=core --annotation a.b=c "$CTX"
  [[ "$output" == *$'Successfully tagged localhost/myapp:1.0\nSuccessfully tagged localhost/myapp:latest'* ]]
  run -0 kiln inspect --format '{{index .Labels "team"}} {{index .Annotations "a.b"}} {{len .RepoTags}}' myapp:1.0
  [ "$output" = "core c 2" ]
  # a rebuild that gives the same image lists every name it ends up with, in podman's order:
  # those it had, then the new ones
  kiln tag myapp:1.0 myapp:stable
  run -0 kiln build -t myapp:1.0 -t myapp:2 --label team=core --annotation a.b=c "$CTX"
  [ "${lines[-5]}" = "Successfully tagged localhost/myapp:1.0" ]
  [ "${lines[-4]}" = "Successfully tagged localhost/myapp:latest" ]
  [ "${lines[-3]}" = "Successfully tagged localhost/myapp:stable" ]
  [ "${lines[-2]}" = "Successfully tagged localhost/myapp:2" ]
}

@test "build: ARG scoping, defaults, --build-arg, --build-arg-file, unused build-arg warning" {
  containerfile <<'CF'
ARG BASE=localhost/busybox
ARG GLOBAL=g
FROM $BASE
ARG VERSION=1.0
ARG GLOBAL
ARG UNSET
RUN echo "v=$VERSION g=$GLOBAL u=${UNSET:-none} base=${BASE:-hidden}" > /args.txt
CF
  run -0 kiln build -t args --build-arg VERSION=2.0 --build-arg NOTUSED=1 "$CTX"
  [[ "$output" == *'level=warning msg="one or more build args were not consumed: [NOTUSED]"'* ]]
  run -0 kiln run --rm args cat /args.txt
  [ "$output" = "v=2.0 g=g u=none base=hidden" ]
  printf 'GLOBAL=fromfile\n# comment\nUNSET=set\n' > "$TEST_ROOT/args.conf"
  run -0 kiln build -q -t args2 --build-arg-file "$TEST_ROOT/args.conf" "$CTX"
  run -0 kiln run --rm args2 cat /args.txt
  [ "$output" = "v=1.0 g=fromfile u=set base=hidden" ]
}

@test "build: predefined platform ARGs" {
  containerfile <<'CF'
FROM localhost/busybox
ARG TARGETARCH
ARG TARGETPLATFORM
RUN echo "$TARGETPLATFORM $TARGETARCH" > /p
CF
  kiln build -q -t plat "$CTX"
  run -0 kiln run --rm plat cat /p
  [ "$output" = "linux/amd64 amd64" ]
}

@test "build: ENV both syntaxes, variable forms, WORKDIR relative, USER by name" {
  containerfile <<'CF'
FROM localhost/busybox
ENV OLD legacy form value
ENV A=1 B="two words" C=${A:-x}${NOPE:-y}${A:+z}
WORKDIR /srv
WORKDIR app
WORKDIR $A
USER nobody
RUN id -un > /tmp/who && pwd > /tmp/where
CF
  kiln build -q -t envs "$CTX"
  run -0 kiln inspect --format '{{json .Config.Env}} {{.Config.WorkingDir}} {{.Config.User}}' envs
  [ "$output" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","OLD=legacy form value","A=1","B=two words","C=1yz"] /srv/app/1 nobody' ]
  run -0 kiln run --rm envs cat /tmp/who /tmp/where
  [ "$output" = $'nobody\n/srv/app/1' ]
}

@test "build: SHELL, heredocs, STOPSIGNAL, VOLUME, ENTRYPOINT resets an inherited CMD" {
  printf 'FROM localhost/busybox\nCMD ["inherited"]\n' > "$TEST_ROOT/Base"
  kiln build -q -f "$TEST_ROOT/Base" -t withcmd "$CTX" >/dev/null
  containerfile <<'CF'
FROM withcmd
SHELL ["/bin/sh", "-ec"]
RUN <<EOF
echo one > /h1
echo two >> /h1
EOF
COPY <<EOT /etc/motd
hello $HOSTNAME-literal
EOT
RUN cat <<A > /h2
from a heredoc
A
STOPSIGNAL SIGINT
VOLUME /data
ENTRYPOINT ["/bin/echo"]
CF
  kiln build -q -t misc "$CTX"
  run -0 kiln inspect --format '{{.Config.StopSignal}} {{json .Config.Volumes}} {{json .Config.Entrypoint}} {{json .Config.Cmd}}' misc
  [ "$output" = 'SIGINT {"/data":{}} ["/bin/echo"] null' ]
  run -0 kiln run --rm --entrypoint '' misc cat /h1 /h2 /etc/motd
  [ "$output" = $'one\ntwo\nfrom a heredoc\nhello -literal' ]
}

@test "build: COPY rules: globs, several sources, dir contents, --chown, --chmod, relative dest" {
  mkdir -p "$CTX/dir/sub"
  echo a > "$CTX/a.txt"; echo b > "$CTX/b.txt"; echo c > "$CTX/dir/sub/c.txt"
  containerfile <<'CF'
FROM localhost/busybox
WORKDIR /w
COPY *.txt ./t/
COPY a.txt b.txt /multi/
COPY dir /d
COPY --chown=nobody:nogroup --chmod=600 a.txt owned
CF
  kiln build -q -t cp "$CTX"
  run -0 kiln run --rm cp sh -c 'ls /w/t; ls /multi; cat /d/sub/c.txt; stat -c "%U %G %a" /w/owned'
  [ "$output" = $'a.txt\nb.txt\na.txt\nb.txt\nc\nnobody nogroup 600' ]
}

@test "build: .containerignore is honoured, .dockerignore as fallback; ../ outside the context is refused" {
  echo keep > "$CTX/keep.txt"; echo secret > "$CTX/secret.key"; mkdir -p "$CTX/logs"; echo l > "$CTX/logs/x.log"
  printf '*.key\nlogs\n' > "$CTX/.containerignore"
  printf 'keep.txt\n' > "$CTX/.dockerignore"
  containerfile <<'CF'
FROM localhost/busybox
COPY . /ctx
CF
  kiln build -q -t ign "$CTX"
  run -0 kiln run --rm ign ls -A /ctx
  [ "$output" = $'.containerignore\n.dockerignore\nContainerfile\nkeep.txt' ]
  rm "$CTX/.containerignore"
  kiln build -q -t ign2 "$CTX"
  run -0 kiln run --rm ign2 ls -A /ctx
  [ "$output" = $'.dockerignore\nContainerfile\nlogs\nsecret.key' ]
  printf 'FROM localhost/busybox\nCOPY ../outside /x\n' > "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  [[ "$output" == *"building at STEP \"COPY ../outside /x\""* ]]
}

@test "build: --target builds only the stages it needs" {
  containerfile <<'CF'
FROM localhost/busybox AS one
RUN echo one > /one
FROM localhost/busybox AS unused
RUN echo never-built
FROM one AS two
RUN cat /one > /two
FROM localhost/busybox
RUN echo final
CF
  run -0 kiln build -t tgt --target two "$CTX"
  [[ "$output" != *never-built* ]]
  [[ "$output" != *final* ]]
  run -0 kiln run --rm tgt cat /two
  [ "$output" = one ]
  run -125 kiln build --target nosuch "$CTX"
}

@test "build: FROM scratch, ADD of archives (gz, xz, zst), MAINTAINER" {
  mkdir -p "$TEST_ROOT/t" && echo payload > "$TEST_ROOT/t/p.txt"
  tar -C "$TEST_ROOT/t" -cJf "$CTX/a.tar.xz" p.txt
  tar -C "$TEST_ROOT/t" --zstd -cf "$CTX/a.tar.zst" p.txt
  cp "$(busybox_tar)" "$CTX/rootfs.tar"
  gzip "$CTX/rootfs.tar"
  containerfile <<'CF'
FROM scratch
MAINTAINER someone
ADD rootfs.tar.gz /
ADD a.tar.xz /xz/
ADD a.tar.zst /zst/
CF
  kiln build -q -t scr "$CTX"
  run -0 kiln run --rm scr cat /xz/p.txt /zst/p.txt
  [ "$output" = $'payload\npayload' ]
  [ "$(kiln inspect --format '{{.Author}}' scr)" = someone ]
}

@test "build: --timestamp gives the same image ID twice" {
  echo data > "$CTX/f"
  printf 'FROM localhost/busybox\nCOPY f /f\nRUN echo x > /x\n' > "$CTX/Containerfile"
  id1=$(kiln build -q --no-cache --timestamp 0 "$CTX")
  id2=$(kiln build -q --no-cache --timestamp 0 "$CTX")
  [ "$id1" = "$id2" ]
  [ "$(kiln inspect --format '{{.Created}}' "$id1")" = "1970-01-01 00:00:00 +0000 UTC" ]
}

@test "build: --layers=false commits one new layer" {
  printf 'FROM localhost/busybox\nRUN echo a > /a\nRUN echo b > /b\nENV X=1\n' > "$CTX/Containerfile"
  run -0 kiln build --layers=false -t flat "$CTX"
  [[ "$output" != *"--> Using cache"* ]]
  run -0 kiln inspect --format '{{len .RootFS.Layers}}' flat
  [ "$output" = 2 ]
  run -0 kiln run --rm flat cat /a /b
  [ "$output" = $'a\nb' ]
}

@test "build: ONBUILD triggers run in a child build (docker format)" {
  printf 'FROM localhost/busybox\nONBUILD RUN echo triggered > /onbuild\n' > "$CTX/Containerfile"
  kiln build -q --format docker -t parent "$CTX"
  printf 'FROM parent\nRUN cat /onbuild\n' > "$CTX/Containerfile"
  run -0 kiln build -t child "$CTX"
  [[ "$output" == *triggered* ]]
  run -0 kiln inspect --format '{{.ManifestType}}' parent
  [ "$output" = "application/vnd.docker.distribution.manifest.v2+json" ]
}

@test "build: RUN --mount=type=bind and type=cache" {
  echo mounted > "$CTX/m.txt"
  containerfile <<'CF'
FROM localhost/busybox
RUN --mount=type=bind,source=m.txt,target=/mnt/m.txt cat /mnt/m.txt > /copied
RUN --mount=type=cache,target=/cache echo c >> /cache/c && wc -l < /cache/c > /count
CF
  kiln build -q -t mnt "$CTX"
  run -0 kiln run --rm mnt cat /copied
  [ "$output" = mounted ]
  # the mount target is not left in the layer, nor the directory made for it
  run -0 kiln run --rm mnt sh -c 'test ! -e /mnt/m.txt && test ! -e /mnt && cat /count'
  [ "$output" = 1 ]
}

@test "build: RUN with the oci runtime isolation" {
  command -v runc >/dev/null || skip "runc not installed"
  printf 'FROM localhost/busybox\nRUN echo via-runc > /r\n' > "$CTX/Containerfile"
  run -0 kiln build --isolation oci --runtime runc -t oci "$CTX"
  run -0 kiln run --rm oci cat /r
  [ "$output" = via-runc ]
}

@test "build: the examples/ build and run" {
  for ex in basic multi-stage build-args cache-friendly; do
    kiln build -q -t "ex-$ex" "$REPO_ROOT/examples/$ex" >/dev/null
  done
  run -0 kiln run --rm ex-basic
  [[ "$output" == *"hello from the basic example (workdir: /app)"* ]]
  run -0 kiln run --rm ex-basic ls /app
  [[ "$output" != *notes.tmp* ]]
  run -0 kiln run --rm ex-multi-stage
  [ "$output" = "myapp built in stage builder, running in /root" ]
  run -0 kiln run --rm ex-build-args
  [ "$output" = "version latest for development" ]
}

@test "build: differential against podman (Config, history, layer file lists)" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  mkdir -p "$CTX/app"; echo x > "$CTX/app/x"; echo y > "$CTX/y"
  containerfile <<'CF'
FROM localhost/busybox AS b
RUN mkdir -p /out && echo built > /out/artifact
FROM localhost/busybox
ARG V=1
ENV A=b C=d
LABEL l=$V
WORKDIR /app
COPY app/ ./app/
COPY y /y
COPY --from=b /out/artifact /artifact
RUN echo $V > /v && rm -f /bin/true
EXPOSE 80
USER nobody
ENTRYPOINT ["/bin/sh"]
CMD ["-c", "cat /v"]
CF
  kiln build -q -t diff "$CTX" >/dev/null
  pm build -q -t diff "$CTX" >/dev/null
  assert_same "$(pm inspect --format '{{json .Config}}' diff)" "$(kiln inspect --format '{{json .Config}}' diff)"
  # created_by, with buildah's and kiln's content digests of COPY sources masked
  mask='s/(file|dir|multi):[0-9a-f]{64}/\1:DIGEST/; s/FROM [0-9a-f]{12}$/FROM ID/'
  assert_same "$(pm history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' diff | sed -E "$mask")" \
              "$(kiln history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' diff | sed -E "$mask")"
  # every layer's file list (names, modes, owners), in order
  for tool in pm kiln; do
    rm -rf "$TEST_ROOT/$tool-dir"
    $tool save --format docker-dir -o "$TEST_ROOT/$tool-dir" diff >/dev/null
  done
  # buildah leaves the runtime's mount points (/dev, /proc, /sys, /run, /etc/hosts…) in a
  # RUN layer; kiln keeps only what the command changed (docs/compat.md).
  mounts='^[0-9]+ (dev|proc|sys|run|etc|etc/hostname|etc/hosts|etc/resolv.conf) '
  assert_same "$(layer_lists "$TEST_ROOT/pm-dir" | grep -Ev "$mounts")" "$(layer_lists "$TEST_ROOT/kiln-dir")"
}

# The entries of each layer above the base in a docker-dir: index, name, mode, owner, type.
layer_lists() {
  python3 - "$1" <<'PY'
import json, sys, tarfile, os
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
for i, l in enumerate(m["layers"][1:], 1):
    with tarfile.open(os.path.join(d, l["digest"].split(":")[1])) as t:
        for e in sorted(t.getmembers(), key=lambda e: e.name):
            print(i, e.name, oct(e.mode & 0o7777), e.uid, e.gid, e.type)
PY
}

# Two independent stages that each sleep 1 s, noting the system uptime before and after in
# /a and /b, and a final stage that copies from both.
parallel_containerfile() {
  containerfile <<'CF'
FROM localhost/busybox AS a
RUN read s _ < /proc/uptime; sleep 1; read e _ < /proc/uptime; echo "$s $e" > /a
FROM localhost/busybox AS b
RUN read s _ < /proc/uptime; sleep 1; read e _ < /proc/uptime; echo "$s $e" > /b
FROM localhost/busybox
COPY --from=a /a /a
COPY --from=b /b /b
CF
}

# Seconds from the first sleep's start to the last one's end, in image $1.
sleep_span() {
  kiln run --rm "$1" cat /a /b | awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $2 > hi { hi = $2 } END { printf "%d", (hi - lo) * 1000 }'
}

@test "build: --jobs 2 runs independent stages in parallel; --jobs 1 one after the other" {
  parallel_containerfile
  start=$(date +%s%N)
  run -0 kiln build --no-cache --jobs 2 -t par:2 "$CTX"
  end=$(date +%s%N)
  echo "$output"
  echo "jobs 2: build $(( (end - start) / 1000000 )) ms, sleeps $(sleep_span par:2) ms"
  # the two 1 s sleeps overlapped: well under the 2 s they take in series
  [ "$(sleep_span par:2)" -lt 1900 ]
  [ "${lines[-2]}" = "Successfully tagged localhost/par:2" ]
  [[ "${lines[-1]}" =~ ^[0-9a-f]{64}$ ]]
  [[ "$output" == *"[1/3] STEP 1/2: FROM localhost/busybox AS a"* ]]
  [[ "$output" == *"[2/3] STEP 1/2: FROM localhost/busybox AS b"* ]]
  # the final stage's lines come after both others'
  [ "$(printf '%s\n' "${lines[@]}" | grep -c '^\[3/3\]')" = 4 ]
  [[ "$(printf '%s\n' "${lines[@]}" | grep '^\[[123]/3\]' | tail -4 | cut -c1-5 | sort -u)" = "[3/3]" ]]

  run -0 kiln build --no-cache --jobs 1 -t par:1 "$CTX"
  echo "$output"
  [ "${lines[0]}" = "[1/3] STEP 1/2: FROM localhost/busybox AS a" ]
  [[ "${lines[1]}" = "[1/3] STEP 2/2: RUN "* ]]
  [[ "${lines[2]}" =~ ^--\>\ [0-9a-f]{11}$ ]]
  [ "${lines[3]}" = "[2/3] STEP 1/2: FROM localhost/busybox AS b" ]
  [[ "${lines[4]}" = "[2/3] STEP 2/2: RUN "* ]]
  [[ "${lines[5]}" =~ ^--\>\ [0-9a-f]{11}$ ]]
  [ "${lines[6]}" = "[3/3] STEP 1/3: FROM localhost/busybox" ]
  [ "${lines[-2]}" = "Successfully tagged localhost/par:1" ]
  [ "$(sleep_span par:1)" -ge 2000 ]
}

@test "build: a failing stage among parallel ones fails the build with its exit code, tags nothing" {
  containerfile <<'CF'
FROM localhost/busybox AS a
RUN sleep 1 && echo a > /a
FROM localhost/busybox AS b
RUN exit 7
FROM localhost/busybox
COPY --from=a /a /a
COPY --from=b /etc/passwd /b
CF
  run -7 kiln build --jobs 2 -t parfail "$CTX"
  echo "$output"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN exit 7": while running runtime: exit status 7' ]
  [[ "$output" != *"[3/3] STEP"* ]]
  [[ "$output" != *"Successfully tagged"* ]]
  run -0 kiln images --format '{{.Repository}}' localhost/parfail
  [ -z "$output" ]
}

@test "build: --jobs 2 gives the same files and image as --jobs 1" {
  echo ctx-file > "$CTX/f.txt"
  containerfile <<'CF'
FROM localhost/busybox AS a
RUN echo a-done > /a && mkdir /d && echo x > /d/x
FROM localhost/busybox AS b
COPY f.txt /b
RUN echo more >> /b
FROM localhost/busybox AS c
COPY --from=a /d /d
FROM c
COPY --from=a /a /a
COPY --from=b /b /b
CF
  run -0 kiln build --no-cache --jobs 1 -t same:1 "$CTX"
  run -0 kiln build --no-cache --jobs 2 -t same:2 "$CTX"
  run -0 kiln run --rm same:1 cat /a /b /d/x
  [ "$output" = $'a-done\nctx-file\nmore\nx' ]
  one=$output
  run -0 kiln run --rm same:2 cat /a /b /d/x
  [ "$output" = "$one" ]
  # with --timestamp the images are identical whatever the parallelism
  run -0 kiln build -q --no-cache --timestamp 0 --jobs 1 "$CTX"
  id1=$output
  run -0 kiln build -q --no-cache --timestamp 0 --jobs 3 "$CTX"
  [ "$output" = "$id1" ]
}

@test "build: RUN --mount=type=secret, bind from= a stage, rw bind writes never reach the context" {
  echo s3cret > "$TEST_ROOT/token"
  echo ctx > "$CTX/file.txt"
  containerfile <<'CF'
FROM localhost/busybox AS tools
RUN mkdir /tools && echo tool-output > /tools/t.txt
FROM localhost/busybox
RUN --mount=type=secret,id=tok test "$(cat /run/secrets/tok)" = s3cret && echo ok > /secret-ok
RUN --mount=type=bind,from=tools,source=/tools,target=/mnt/tools cat /mnt/tools/t.txt > /from-stage
RUN --mount=type=bind,source=file.txt,target=/f,rw echo changed > /f && cat /f > /rw-seen
CF
  kiln build -q --secret id=tok,src="$TEST_ROOT/token" -t sec "$CTX"
  run -0 kiln run --rm sec sh -c 'cat /secret-ok /from-stage /rw-seen; test ! -e /run/secrets/tok && echo no-secret-left'
  [ "$output" = $'ok\ntool-output\nchanged\nno-secret-left' ]
  [ "$(cat "$CTX/file.txt")" = ctx ]
  # without --secret the mount is skipped (not required): the RUN itself fails
  run -1 kiln build --no-cache "$CTX"
  [[ "$output" == *'while running runtime: exit status 1'* ]]
}

@test "build: unknown instruction flags, FROM --platform of another architecture" {
  printf 'FROM localhost/busybox\nCOPY --nosuch=1 a b\n' > "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  [[ "$output" == *'building at STEP "COPY --nosuch=1 a b": unknown flag: nosuch'* ]]
  printf 'FROM --platform=linux/arm64 localhost/busybox\nRUN true\n' > "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  [[ "$output" == *"linux/arm64"* ]]
  printf 'FROM --platform=linux/amd64 localhost/busybox\nRUN true\n' > "$CTX/Containerfile"
  run -0 kiln build -q "$CTX"
}

@test "build: HEALTHCHECK with options (docker format); inspect shows it as podman does" {
  printf 'FROM localhost/busybox\nHEALTHCHECK --interval=30s --timeout=5s --retries=3 --start-period=1m30s CMD wget -q localhost || exit 1\nSHELL ["/bin/sh", "-c"]\nONBUILD RUN true\n' > "$CTX/Containerfile"
  kiln build -q --format docker -t hc "$CTX"
  kiln inspect hc > "$TEST_ROOT/hc.json"
  # the top-level Healthcheck (manifest.Schema2HealthConfig's field order); Config is the OCI
  # config only: no Healthcheck, OnBuild or Shell there
  run -0 python3 -c 'import json,sys; i = json.load(open(sys.argv[1]))[0]; print(json.dumps(i["Healthcheck"], separators=(",",":"))); print(sorted(i["Config"]))' "$TEST_ROOT/hc.json"
  [ "${lines[0]}" = '{"Test":["CMD-SHELL","wget -q localhost || exit 1"],"StartPeriod":90000000000,"Interval":30000000000,"Timeout":5000000000,"Retries":3}' ]
  [ "${lines[1]}" = "['Env', 'Labels']" ]
  run -0 kiln inspect --format '{{.HealthCheck}} {{.HealthCheck.Timeout}}' hc
  [ "$output" = "{[CMD-SHELL wget -q localhost || exit 1] 1m30s 30s 5s 3} 5s" ]
  run -0 kiln inspect --format '{{.HealthCheck}}' localhost/busybox
  [ "$output" = "<nil>" ]
  # the raw config keeps them
  kiln save -o "$TEST_ROOT/hc.tar" hc
  cfg=$(tar xOf "$TEST_ROOT/hc.tar" manifest.json | jq -r '.[0].Config')
  [ "$(tar xOf "$TEST_ROOT/hc.tar" "$cfg" | jq -c '.config.OnBuild, .config.Healthcheck.Retries')" = $'["RUN true"]\n3' ]
  if has_podman; then
    pm import -q "$(busybox_tar)" localhost/busybox >/dev/null
    pm build -q --format docker -t hc "$CTX" >/dev/null 2>&1
    [ "$(pm inspect --format '{{.HealthCheck}} {{json .Config}}' hc)" = "$(kiln inspect --format '{{.HealthCheck}} {{json .Config}}' hc)" ]
  fi
}

@test "build: ADD of a URL is downloaded (not extracted), --checksum verified" {
  command -v python3 >/dev/null || skip "python3 missing"
  mkdir -p "$TEST_ROOT/www" && echo served > "$TEST_ROOT/www/file.txt"
  tar -C "$TEST_ROOT/www" -czf "$TEST_ROOT/www/a.tar.gz" file.txt
  serve_directory "$TEST_ROOT/www"
  port=$HTTP_PORT server=$HTTP_PID
  sum=$(sha256sum "$TEST_ROOT/www/file.txt" | cut -d' ' -f1)
  printf 'FROM localhost/busybox\nADD --checksum=sha256:%s http://127.0.0.1:%s/file.txt /dl/\nADD http://127.0.0.1:%s/a.tar.gz /dl/\n' "$sum" "$port" "$port" > "$CTX/Containerfile"
  run -0 kiln build -q -t url "$CTX"
  run -0 kiln run --rm url sh -c 'cat /dl/file.txt; ls /dl'
  [ "$output" = $'served\na.tar.gz\nfile.txt' ]
  printf 'FROM localhost/busybox\nADD --checksum=sha256:%064d http://127.0.0.1:%s/file.txt /dl/\n' 0 "$port" > "$CTX/Containerfile"
  run -125 kiln build "$CTX"
  [[ "$output" == *"digest mismatch"* ]]
  kill $server
}

@test "build: errors for a missing target, base image, --from source and COPY source read as podman's" {
  printf 'FROM localhost/busybox AS a\nFROM localhost/busybox\n' > "$CTX/Containerfile"
  run -125 kiln build --target nosuch "$CTX"
  [ "${lines[-1]}" = 'Error: The target "nosuch" was not found in the provided Dockerfile' ]
  printf 'FROM nosuch-image-xyz\n' > "$CTX/Containerfile"
  run -125 kiln build --pull=never "$CTX"
  [ "${lines[-1]}" = 'Error: creating build container: nosuch-image-xyz: image not known' ]
  printf 'FROM localhost/busybox\nCOPY --from=nosuchstage /a /b\n' > "$CTX/Containerfile"
  run -125 kiln build --pull=never "$CTX"
  [ "${lines[-1]}" = 'Error: building at STEP "COPY --from=nosuchstage /a /b": --from=nosuchstage: no stage or image found with that name' ]
  printf 'FROM localhost/busybox\nCOPY nothere /x\n' > "$CTX/Containerfile"
  cd "$CTX"
  run -125 kiln build .
  [ "${lines[-1]}" = "Error: building at STEP \"COPY nothere /x\": checking on sources under \"$CTX\": copier: stat: \"/nothere\": no such file or directory" ]
}

@test "build: OCI format warns once each for HEALTHCHECK, SHELL, ONBUILD; MAINTAINER signs the later history" {
  printf 'FROM localhost/busybox\nHEALTHCHECK CMD true\nSHELL ["/bin/sh", "-c"]\nONBUILD RUN true\nMAINTAINER me\nENV A=1\n' > "$CTX/Containerfile"
  run -0 --separate-stderr kiln build --no-cache -t warned "$CTX"
  [ "$(grep -c 'level=warning' <<<"$stderr")" = 3 ]
  [[ "$stderr" =~ time=\"[0-9-]+T[0-9:]+(Z|[+-][0-9]{2}:[0-9]{2})\"\ level=warning\ msg=\"SHELL\ is\ not\ supported\ for\ OCI\ image\ format,\ \[/bin/sh\ -c\]\ will\ be\ ignored.\ Must\ use\ \`docker\`\ format\" ]]
  run -0 kiln inspect --format '{{range .History}}{{.Author}}|{{end}}' warned
  [ "$output" = "||||me|me|" ]  # base, HEALTHCHECK, SHELL, ONBUILD, then MAINTAINER and ENV
}

@test "build: a failing ONBUILD trigger fails the child build with the trigger's step and exit code" {
  printf 'FROM localhost/busybox\nONBUILD RUN exit 3\n' > "$CTX/Containerfile"
  kiln build -q --format docker -t obfail "$CTX" >/dev/null
  printf 'FROM obfail\nRUN true\n' > "$CTX/Containerfile"
  run -3 kiln build "$CTX"
  [ "${lines[-1]}" = 'Error: building at STEP "RUN exit 3": while running runtime: exit status 3' ]
}

@test "build: podman's ways to name the Containerfile (-, -f - , -f beside the context, several -f) and the context" {
  run -0 kiln build -q -t stdin1 - <<< $'FROM localhost/busybox\nRUN echo from-stdin > /s'
  run -0 kiln run --rm stdin1 cat /s
  [ "$output" = from-stdin ]
  echo data > "$CTX/file"
  printf 'FROM localhost/busybox\nCOPY file /file\n' > "$TEST_ROOT/Other"
  run -0 kiln build -q -t stdin2 -f - "$CTX" < "$TEST_ROOT/Other"
  run -0 kiln run --rm stdin2 cat /file
  [ "$output" = data ]
  # -f NAME: the current directory first, then the context.
  printf 'FROM localhost/busybox\nRUN echo in-ctx > /w\n' > "$CTX/Named"
  (cd "$TEST_ROOT" && kiln build -q -t named -f Named "$CTX") >/dev/null
  run -0 kiln run --rm named cat /w
  [ "$output" = in-ctx ]
  run -125 kiln build -f Nosuch "$CTX"
  [[ "$output" == *"Nosuch: no such file or directory"* ]]
  # Several -f: read one after the other; the last stage is the image.
  printf 'FROM localhost/busybox\nRUN echo second > /w\n' > "$TEST_ROOT/Second"
  run -0 kiln build -t two -f "$CTX/Named" -f "$TEST_ROOT/Second" "$CTX"
  run -0 kiln run --rm two cat /w
  [ "$output" = second ]
  # Without a context: the directory of the -f file.
  mkdir "$TEST_ROOT/own"; echo own > "$TEST_ROOT/own/file"; cp "$TEST_ROOT/Other" "$TEST_ROOT/own/Cf"
  kiln build -q -t noctx -f "$TEST_ROOT/own/Cf" >/dev/null
  run -0 kiln run --rm noctx cat /file
  [ "$output" = own ]
  run -125 kiln build -q -f "$TEST_ROOT/Other" "$TEST_ROOT/nosuchdir"
}

@test "build: --ignorefile, the ignore file's name in the filtered-out error, buildah's descent rule" {
  mkdir -p "$CTX/subdir1" "$CTX/subdir2"
  for f in test1 test2 subdir1/sub1 subdir1/sub2 subdir1/sub3 subdir2/sub1; do echo x > "$CTX/$f"; done
  printf 'test*\n!test2*\nsubdir1\nsubdir2\n!*/sub1*\n!subdir1/sub3*\n' > "$TEST_ROOT/ign"
  printf 'FROM localhost/busybox\nCOPY ./ /c/\n' > "$CTX/Containerfile"
  kiln build -q -t ign --ignorefile "$TEST_ROOT/ign" "$CTX" >/dev/null
  run -0 kiln run --rm ign find /c -type f
  # subdir2 is not walked: no '!' pattern's text starts with it (podman's 070-build).
  [ "$(sort <<<"$output" | tr '\n' ' ')" = "/c/Containerfile /c/subdir1/sub1 /c/subdir1/sub3 /c/test2 " ]
  printf 'FROM localhost/busybox\nCOPY test1 /\n' > "$CTX/Containerfile"
  run -125 kiln build --ignorefile "$TEST_ROOT/ign" "$CTX"
  [[ "$output" == *"no items matching glob \"$CTX/test1\" copied (1 filtered out using $TEST_ROOT/ign): no such file or directory" ]]
  run -125 kiln build --ignorefile "$TEST_ROOT/nosuch" "$CTX"
  [[ "$output" == *"$TEST_ROOT/nosuch: no such file or directory" ]]
}

@test "build: --pull-never, --pull=never, --logfile" {
  printf 'FROM localhost/busybox\nRUN echo ran-here\n' > "$CTX/Containerfile"
  run -0 kiln build --pull-never -t pn "$CTX"
  [[ "$output" == *ran-here* ]]
  printf 'FROM localhost/nosuchimage:nosuchtag\n' > "$CTX/Containerfile"
  run -125 kiln build --pull=never "$CTX"
  [[ "$output" == *"localhost/nosuchimage:nosuchtag: image not known"* ]]
  run -125 kiln build --pull-never --pull-always "$CTX"
  [[ "$output" == *"can only set one of 'pull' or 'pull-always' or 'pull-never'"* ]]
  printf 'FROM localhost/busybox\nRUN echo logged-line\n' > "$CTX/Containerfile"
  run -0 kiln build --logfile "$TEST_ROOT/log" -t lf "$CTX"
  [[ "$output" != *logged-line* ]]
  grep -q logged-line "$TEST_ROOT/log"
  grep -q '^COMMIT lf' "$TEST_ROOT/log"
}
