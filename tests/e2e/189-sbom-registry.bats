#!/usr/bin/env bats
# kiln image sbom / image scan of an image in a registry (docker://REFERENCE): pulled with
# the pull client into a throwaway store under $TMPDIR, never into the user's store.
load helpers
load registry

SYNTHETIC=$BATS_TEST_DIRNAME/../fixtures/osv/synthetic

setup() {
  has_registry || skip "docker-registry or python3 missing"
  setup_build_context
  export CONTAINERS_REGISTRIES_CONF=$TEST_ROOT/registries.conf
  : > "$CONTAINERS_REGISTRIES_CONF"
  export REGISTRY_AUTH_FILE=$TEST_ROOT/auth.json
  export TMPDIR=$TEST_ROOT/tmp
  mkdir -p "$TMPDIR" "$CTX/root/var/lib/dpkg/status.d" "$CTX/root/opt"
  printf 'Package: kiln-remote-pkg\nVersion: 2.0-1\nArchitecture: all\n' > "$CTX/root/var/lib/dpkg/status.d/kiln-remote-pkg"
  python3 - "$CTX/root/opt/log4j-core-2.14.1.jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
               "groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n")
PY
  containerfile <<'CF'
FROM localhost/busybox
COPY root/ /
CF
  kiln build -q -t remote-src "$CTX" >/dev/null
  start_registry
  kiln push -q --tls-verify=false remote-src "$REG/sbom/remote:1"
  local_sbom=$(kiln image sbom --format '{{.Type}} {{.Name}} {{.Version}} {{.LayerIndex}} {{.Purl}}' remote-src)
  kiln rmi remote-src >/dev/null
}

teardown() {
  stop_registry
}

@test "sbom docker://REF: the pushed image's packages, as the local sbom gave them; the store is untouched" {
  before=$(kiln images -a --no-trunc --format '{{.ID}} {{.Names}}')
  run -0 kiln image sbom --tls-verify=false --format '{{.Type}} {{.Name}} {{.Version}} {{.LayerIndex}} {{.Purl}}' "docker://$REG/sbom/remote:1"
  assert_same "deb kiln-remote-pkg 2.0-1 1 pkg:deb/kiln-remote-pkg@2.0-1?arch=all
maven log4j-core 2.14.1 1 pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" "$output"
  assert_same "$local_sbom" "$output"
  [ "$(kiln images -a --no-trunc --format '{{.ID}} {{.Names}}')" = "$before" ]
  [ -z "$(ls -A "$TMPDIR")" ]
  run -0 kiln image sbom --tls-verify=false --format cyclonedx-json "docker://$REG/sbom/remote:1"
  [ "$(jq -r .metadata.component.name <<<"$output")" = "$REG/sbom/remote:1" ]
}

@test "scan docker://REF matches the pushed image; registry errors are podman's, exit 125" {
  run -1 kiln image scan --tls-verify=false --db "$SYNTHETIC" --exit-code 1 -n --format '{{.ID}} {{.Package}} {{.Installed}}' "docker://$REG/sbom/remote:1"
  assert_same "SYN-MAVEN-2 log4j-core 2.14.1" "$output"
  run -125 kiln image sbom --tls-verify=false "docker://$REG/sbom/nosuch:1"
  [[ "$output" == *Error:*nosuch* ]]
  run -125 kiln image sbom "docker://$REG/sbom/remote:1"
  [[ "$output" == *"Error:"*"server gave HTTP response to HTTPS client"* ]]
  run -125 kiln image sbom docker://BAD/Ref
  [ "$output" = "Error: repository name must be lowercase" ]
  [ -z "$(ls -A "$TMPDIR")" ]
}
