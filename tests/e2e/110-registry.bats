#!/usr/bin/env bats
# pull, push, login, logout, search --list-tags against Debian's docker-registry on 127.0.0.1.

load helpers
load registry

setup() {
  has_registry || skip "docker-registry or python3 missing"
  setup_store
  # Never /etc's registries.conf or the caller's credentials.
  export CONTAINERS_REGISTRIES_CONF=$TEST_ROOT/registries.conf
  : > "$CONTAINERS_REGISTRIES_CONF"
  export REGISTRY_AUTH_FILE=$TEST_ROOT/auth.json
  export HOME=$TEST_ROOT/home
  mkdir -p "$HOME"
}

teardown() {
  stop_registry
  cleanup_test_store
}

image_count() { kiln images -q | wc -l; }

@test "plain HTTP needs --tls-verify=false: podman's message, store unchanged" {
  start_registry
  run -125 kiln pull $REG/busybox:latest
  assert_same "Trying to pull $REG/busybox:latest...
Error: initializing source docker://$REG/busybox:latest: pinging container registry $REG: Get \"https://$REG/v2/\": http: server gave HTTP response to HTTPS client" "$output"
  [ "$(image_count)" -eq 0 ]
}

@test "push then pull back: same image ID, podman's lines; OCI gzip, v2s2, zstd" {
  start_registry
  id=$(import_busybox)
  run -0 kiln push --tls-verify=false localhost/busybox:latest $REG/bb:oci
  assert_same "Getting image source signatures
Copying blob sha256:$(kiln inspect --format '{{index .RootFS.Layers 0}}' busybox | sed 's/^sha256://')
Copying config $id
Writing manifest to image destination
Storing signatures" "$output"
  kiln push -q --tls-verify=false --format v2s2 busybox $REG/bb:v2s2
  kiln push -q --tls-verify=false --compression-format zstd busybox $REG/bb:zstd
  run -0 kiln search --list-tags --tls-verify=false $REG/bb
  [ "${lines[0]}" = "NAME                TAG" ]
  assert_same "$REG/bb  oci
$REG/bb  v2s2
$REG/bb  zstd" "$(echo "$output" | tail -n +2 | sort)"
  kiln rmi -a -f >/dev/null
  for t in oci v2s2 zstd; do
    run -0 kiln pull --tls-verify=false $REG/bb:$t
    [ "${lines[-1]}" = "${id#sha256:}" ]
    [ "${lines[0]}" = "Trying to pull $REG/bb:$t..." ]
  done
  # One image, three manifests: the first pulled stays its manifest; a fresh pull of v2s2 keeps v2s2.
  kiln rmi -a -f >/dev/null
  kiln pull -q --tls-verify=false $REG/bb:v2s2 >/dev/null
  run -0 kiln inspect --format '{{.ManifestType}}' $REG/bb:v2s2
  [ "$output" = application/vnd.docker.distribution.manifest.v2+json ]
  # Pull -q prints only the ID.
  run -0 kiln pull -q --tls-verify=false $REG/bb:oci
  assert_same "${id#sha256:}" "$output"
}

@test "pull by digest; push --digestfile; re-push of a pulled image sends its blobs as they are" {
  start_registry
  import_busybox >/dev/null
  kiln push -q --tls-verify=false --digestfile $TEST_ROOT/d busybox $REG/bb:1
  digest=$(cat $TEST_ROOT/d)
  [[ $digest == sha256:* ]]
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --tls-verify=false $REG/bb@$digest
  run -0 kiln images --digests --format '{{.Digest}}'
  [ "$output" = "$digest" ]
  # The digested name is a row only while the image has no tagged name (podman's rule).
  run -0 kiln images --format '{{.Repository}}:{{.Tag}}'
  [ "$output" = "$REG/bb:<none>" ]
  kiln tag $REG/bb@$digest $REG/bb:t
  run -0 kiln images --format '{{.Repository}}:{{.Tag}}'
  [ "$output" = "$REG/bb:t" ]
  # Pushed back unchanged: the manifest (and so its digest) is the one pulled.
  kiln push -q --tls-verify=false --digestfile $TEST_ROOT/d2 $REG/bb@$digest $REG/copy:1
  [ "$(cat $TEST_ROOT/d2)" = "$digest" ]
}

@test "push to another repository of the same registry mounts pulled blobs" {
  start_registry
  $REG_TOOL push-image $REG_URL multi v1 3 >/dev/null
  kiln pull -q --tls-verify=false $REG/multi:v1 >/dev/null
  run -0 kiln push --tls-verify=false $REG/multi:v1 $REG/other/multi:v1
  [ "$(grep -a -c '"POST /v2/other/multi/blobs/uploads/?mount=' "$REG_DIR/log")" -eq 4 ]   # 3 layers + config
  [ "$(grep -a -c '"PUT /v2/other/multi/blobs/uploads/' "$REG_DIR/log")" -eq 0 ]
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --tls-verify=false $REG/other/multi:v1
}

@test "layers already present are not downloaded again" {
  start_registry
  $REG_TOOL push-image $REG_URL multi v1 4 >/dev/null
  kiln pull -q --tls-verify=false $REG/multi:v1 >/dev/null
  before=$(blob_gets multi)
  [ "$before" -eq 5 ]   # config + 4 layers
  kiln pull -q --tls-verify=false $REG/multi:v1 >/dev/null
  [ "$(blob_gets multi)" -eq "$before" ]
}

@test "a pull killed halfway resumes, downloading only what is missing" {
  start_registry
  cfg=$($REG_TOOL push-image $REG_URL multi v1 4)
  KILN_TEST_PULL_KILL_AFTER_BLOBS=2 run -137 kiln pull --tls-verify=false --jobs 1 $REG/multi:v1
  [ "$(image_count)" -eq 0 ]
  [ "$(blob_gets multi)" -eq 3 ]   # config + 2 layers
  run -0 kiln pull -q --tls-verify=false $REG/multi:v1
  [ "$output" = "${cfg#sha256:}" ]
  [ "$(blob_gets multi)" -eq 5 ]   # only the 2 missing layers
  # The lease of the killed pull does not keep anything once the image is removed.
  kiln rmi -a >/dev/null
  kiln image prune -a -f >/dev/null
}

@test "a manifest list pulls the host's platform, --platform another" {
  start_registry
  amd=$($REG_TOOL push-image $REG_URL multi amd 2 amd64)
  arm=$($REG_TOOL push-image $REG_URL multi arm 3 arm64)
  $REG_TOOL push-index $REG_URL multi list amd arm >/dev/null
  run -0 kiln pull -q --tls-verify=false $REG/multi:list
  [ "$output" = "${amd#sha256:}" ]
  run -0 kiln pull -q --tls-verify=false --platform linux/arm64 $REG/multi:list
  [ "$output" = "${arm#sha256:}" ]
  run -125 kiln pull -q --tls-verify=false --platform linux/s390x $REG/multi:list
  # podman's words for an OCI index ("manifest list" is for a Docker list).
  [ "$output" = "Error: choosing an image from manifest list docker://$REG/multi:list: no image found in image index for architecture s390x, variant \"\", OS linux" ]
}

@test "404, garbage and a stopped registry: clear errors naming the reference, store unchanged" {
  start_registry
  import_busybox >/dev/null
  run -125 kiln pull --tls-verify=false $REG/nosuch:1
  assert_same "Trying to pull $REG/nosuch:1...
Error: initializing source docker://$REG/nosuch:1: reading manifest 1 in $REG/nosuch: manifest unknown: manifest unknown" "$output"
  kiln push -q --tls-verify=false busybox $REG/bb:1
  port=$($REG_TOOL free-port)
  $REG_TOOL proxy $port $REG_URL garbage 2>/dev/null &
  PROXY_PID=$!
  wait_for_port $port
  run -125 kiln pull --tls-verify=false localhost:$port/bb:1
  [[ $output == *"localhost:$port/bb"* ]]
  [[ $output == *"not valid JSON"* ]]
  [ "$(image_count)" -eq 1 ]
  stop_registry
  run -125 kiln pull --tls-verify=false --retry 0 $REG/bb:1
  [[ $output == *"pinging container registry $REG"* ]]
  [ "$(image_count)" -eq 1 ]
}

@test "a layer whose bytes do not match its digest is refused; nothing is named" {
  start_registry
  $REG_TOOL push-image $REG_URL multi v1 2 >/dev/null
  port=$($REG_TOOL free-port)
  $REG_TOOL proxy $port $REG_URL badblob 2>/dev/null &
  PROXY_PID=$!
  wait_for_port $port
  run -125 kiln pull --tls-verify=false --retry 0 localhost:$port/multi:v1
  [[ $output == *"localhost:$port/multi:v1"* ]]
  [[ $output == *"sha256:"* ]]
  echo "$output"
  [ "$(image_count)" -eq 0 ]
  # The real bytes pull fine afterwards.
  run -0 kiln pull -q --tls-verify=false $REG/multi:v1
}

@test "retries: 503s are retried with --retry-delay" {
  start_registry
  import_busybox >/dev/null
  kiln push -q --tls-verify=false busybox $REG/bb:1
  port=$($REG_TOOL free-port)
  $REG_TOOL proxy $port $REG_URL flaky 2>/dev/null &
  PROXY_PID=$!
  wait_for_port $port
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --tls-verify=false --retry 3 --retry-delay 50ms localhost:$port/bb:1
  run -125 kiln pull -q --tls-verify=false --retry 0 localhost:$port/bb:2
  [[ $output == *"unavailable: try later"* ]] || [[ $output == *"503"* ]]
}

@test "TLS with a self-signed certificate: refused without, accepted with --cert-dir" {
  command -v openssl >/dev/null || skip "openssl missing"
  start_registry tls
  import_busybox >/dev/null
  run -125 kiln push busybox $REG/bb:1
  [[ $output == *"certificate"* ]] || [[ $output == *"SSL"* ]] || [[ $output == *"issuer"* ]]
  run -0 kiln push --cert-dir $REG_CERTS busybox $REG/bb:1
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --cert-dir $REG_CERTS $REG/bb:1
}

@test "htpasswd Basic auth: 401 without credentials, login, auth.json, logout, --creds" {
  start_registry auth
  import_busybox >/dev/null
  run -125 kiln push --tls-verify=false busybox $REG/bb:1
  [[ $output == *"authentication required"* ]]
  run -125 kiln login --tls-verify=false -u $REG_USER -p wrong $REG
  assert_same "Error: logging into \"$REG\": invalid username/password" "$output"
  [ ! -e $REGISTRY_AUTH_FILE ]
  run -0 kiln login --tls-verify=false -u $REG_USER -p $REG_PASS $REG
  assert_same "Login Succeeded!" "$output"
  run -0 python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['auths'][sys.argv[2]]['auth'])" $REGISTRY_AUTH_FILE $REG
  [ "$output" = "$(printf %s "$REG_USER:$REG_PASS" | base64)" ]
  kiln push -q --tls-verify=false busybox $REG/bb:1
  run -0 kiln search --list-tags --tls-verify=false $REG/bb
  run -0 kiln logout $REG
  assert_same "Removed login credentials for $REG" "$output"
  run -125 kiln logout $REG
  assert_same "Error: not logged into $REG" "$output"
  run -125 kiln pull --tls-verify=false $REG/bb:1
  [[ $output == *"authentication required"* ]]
  run -0 kiln pull -q --tls-verify=false --creds $REG_USER:$REG_PASS $REG/bb:1
  echo $REG_PASS | kiln login --tls-verify=false -u $REG_USER --password-stdin --authfile $TEST_ROOT/other.json $REG
  run -0 kiln pull -q --tls-verify=false --authfile $TEST_ROOT/other.json $REG/bb:1
  run -0 kiln logout -a --authfile $TEST_ROOT/other.json
  assert_same "Removed login credentials for all registries" "$output"
  # ~/.docker/config.json is read as a fallback.
  mkdir -p $HOME/.docker
  printf '{"auths":{"%s":{"auth":"%s"}}}' $REG "$(printf %s "$REG_USER:$REG_PASS" | base64)" > $HOME/.docker/config.json
  run -0 kiln pull -q --tls-verify=false $REG/bb:1
}

@test "Bearer token auth: the challenge's realm is asked for a token with the credentials" {
  start_registry
  import_busybox >/dev/null
  port=$($REG_TOOL free-port)
  $REG_TOOL proxy $port $REG_URL bearer 2>/dev/null &
  PROXY_PID=$!
  wait_for_port $port
  run -125 kiln push --tls-verify=false busybox localhost:$port/bb:1
  [[ $output == *"unauthorized"* ]]
  run -125 kiln login --tls-verify=false -u kilnuser -p nope localhost:$port
  [[ $output == *"invalid username/password"* ]]
  run -0 kiln login --tls-verify=false -u kilnuser -p s3cret localhost:$port
  kiln push -q --tls-verify=false busybox localhost:$port/bb:1
  kiln rmi -a -f >/dev/null
  run -0 kiln pull -q --tls-verify=false localhost:$port/bb:1
  run -0 kiln search --list-tags --tls-verify=false localhost:$port/bb
  [ "${lines[1]}" = "localhost:$port/bb  1" ]
}

@test "registries.conf: insecure, prefix rewriting, mirror, blocked, short-name search, aliases" {
  start_registry
  import_busybox >/dev/null
  kiln push -q --tls-verify=false busybox $REG/team/bb:1
  cat > $CONTAINERS_REGISTRIES_CONF <<CONF
unqualified-search-registries = ["$REG"]
[aliases]
"shorty" = "$REG/team/bb"
[[registry]]
location = "$REG"
insecure = true
[[registry]]
prefix = "example.test/kiln"
location = "$REG/team"
insecure = true
[[registry]]
location = "mirrored.test"
[[registry.mirror]]
location = "$REG/team"
insecure = true
[[registry]]
location = "blocked.test"
blocked = true
CONF
  kiln rmi -a -f >/dev/null
  # insecure = true: no --tls-verify=false needed
  run -0 kiln pull -q $REG/team/bb:1
  run -0 kiln pull example.test/kiln/bb:1
  [[ ${lines[0]} == "Trying to pull example.test/kiln/bb:1..." ]]
  run -0 kiln images --format '{{.Repository}}:{{.Tag}}'
  [[ $output == *"example.test/kiln/bb:1"* ]]
  run -0 kiln pull -q mirrored.test/bb:1
  run -125 kiln pull blocked.test/bb:1
  [[ $output == *"blocked"* ]]
  run -0 kiln pull team/bb:1
  [ "${lines[0]}" = "Trying to pull $REG/team/bb:1..." ]
  run -0 kiln pull shorty:1
  [ "${lines[0]}" = "Trying to pull $REG/team/bb:1..." ]
}

@test "registries.conf: \$HOME/.config/containers/registries.conf replaces the system file, as in containers/image" {
  start_registry
  import_busybox >/dev/null
  kiln push -q --tls-verify=false busybox $REG/team/bb:1
  kiln rmi -a -f >/dev/null
  unset CONTAINERS_REGISTRIES_CONF
  export HOME=$TEST_ROOT/home
  mkdir -p "$HOME/.config/containers/registries.conf.d"
  printf 'unqualified-search-registries = ["%s"]\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" "$REG" \
    > "$HOME/.config/containers/registries.conf"
  printf '[[registry]]\nlocation = "blocked.test"\nblocked = true\n' > "$HOME/.config/containers/registries.conf.d/50-block.conf"
  run -0 kiln pull team/bb:1
  [ "${lines[0]}" = "Trying to pull $REG/team/bb:1..." ]
  run -125 kiln pull blocked.test/bb:1
  [ "${lines[-1]}" = " * initializing source docker://blocked.test/bb:1: registry blocked.test is blocked in $HOME/.config/containers/registries.conf or $HOME/.config/containers/registries.conf.d" ]
}

@test "interop: podman and skopeo pull what kiln pushed; kiln pulls what podman pushed" {
  has_podman || skip "podman missing"
  unset REGISTRY_AUTH_FILE  # podman refuses one that does not exist
  start_registry
  id=$(import_busybox)
  kiln push -q --tls-verify=false busybox $REG/fromkiln:1
  kiln push -q --tls-verify=false --compression-format zstd busybox $REG/fromkiln:zstd
  run -0 pm pull -q --tls-verify=false $REG/fromkiln:1
  [ "sha256:$output" = "$id" ]
  run -0 pm run --rm $REG/fromkiln:1 busybox echo hello
  [ "$output" = hello ]
  run -0 pm pull -q --tls-verify=false $REG/fromkiln:zstd
  if command -v skopeo >/dev/null; then
    run -0 skopeo inspect --tls-verify=false docker://$REG/fromkiln:1
  fi
  pm import -q "$(busybox_tar)" localhost/pmimg:1 >/dev/null
  pm push -q --tls-verify=false localhost/pmimg:1 $REG/frompodman:1
  run -0 kiln pull -q --tls-verify=false $REG/frompodman:1
  [ "$output" = "$(pm images -q --no-trunc localhost/pmimg:1 | sed 's/^sha256://')" ]
  # podman's pull lines are kiln's
  kiln rmi -a -f >/dev/null
  expected=$(pm pull --tls-verify=false $REG/frompodman:1 2>&1 >/dev/null)
  actual=$(kiln pull --tls-verify=false $REG/frompodman:1 2>&1 >/dev/null)
  assert_same "$expected" "$actual"
}

@test "build: FROM pulls a missing base image from the registry; --pull=never refuses; --pull=always re-pulls" {
  start_registry
  import_busybox >/dev/null
  kiln push -q --tls-verify=false localhost/busybox:latest $REG/base:1 >/dev/null
  kiln rmi -f localhost/busybox:latest >/dev/null
  mkdir -p "$TEST_ROOT/ctx"
  printf 'FROM %s/base:1\nRUN echo pulled-base > /p\n' "$REG" > "$TEST_ROOT/ctx/Containerfile"
  run -125 kiln build --pull=never "$TEST_ROOT/ctx"
  [[ "$output" == *"image not known"* ]]
  run -0 kiln build --tls-verify=false -t frompull "$TEST_ROOT/ctx"
  [[ "$output" == *"Trying to pull $REG/base:1..."* ]]
  run -0 kiln run --rm frompull cat /p
  [ "$output" = pulled-base ]
  # the base is in the store now: the default policy (missing) does not contact the registry
  stop_registry
  run -0 kiln build -q -t again "$TEST_ROOT/ctx"
  run -125 kiln build --pull=always --tls-verify=false "$TEST_ROOT/ctx"
}

@test "run and create pull a missing image (--pull=missing), never with --pull=never; always pulls again" {
  start_registry
  import_busybox >/dev/null
  kiln push -q --tls-verify=false busybox $REG/bb:run
  kiln rmi -a -f >/dev/null
  run -125 kiln run --rm --pull=never --tls-verify=false $REG/bb:run true
  assert_same "Error: $REG/bb:run: image not known" "$output"
  run -125 kiln run --rm --pull=sometimes $REG/bb:run true
  assert_same 'Error: unsupported pull policy "sometimes"' "$output"
  [ "$(image_count)" -eq 0 ]
  run -0 --separate-stderr kiln run --rm --tls-verify=false $REG/bb:run echo ran
  [ "$output" = ran ]
  [[ "$stderr" == "Trying to pull $REG/bb:run..."* ]]
  [ "$(image_count)" -eq 1 ]
  # Present: missing does not pull again, always does (and -q silences it).
  run -0 --separate-stderr kiln run --rm --tls-verify=false $REG/bb:run true
  [ -z "$stderr" ]
  run -0 --separate-stderr kiln run --rm --pull=always --tls-verify=false $REG/bb:run true
  [[ "$stderr" == "Trying to pull $REG/bb:run..."* ]]
  run -0 --separate-stderr kiln run --rm -q --pull=always --tls-verify=false $REG/bb:run true
  [ -z "$stderr" ]
  # newer: the registry gone, the local image is used.
  stop_registry
  run -0 kiln run --rm --pull=newer --tls-verify=false $REG/bb:run echo local
  [[ "$output" == *local ]]
  run -125 kiln run --rm --pull=always --tls-verify=false $REG/bb:run true
  kiln rmi -a -f >/dev/null
  run -125 kiln create --tls-verify=false $REG/bb:run
  [ "$(image_count)" -eq 0 ]
  [ -z "$(kiln ps -aq)" ]
}
