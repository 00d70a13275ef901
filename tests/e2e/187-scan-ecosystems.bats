#!/usr/bin/env bats
# kiln image sbom and scan beyond dpkg: an image on the busybox base with hand-made apk,
# Python and npm package databases and Java archives (zips written by python3, no JDK),
# one layer each, against the synthetic advisories of tests/fixtures/osv/synthetic.
load helpers
load security

SYNTHETIC=$BATS_TEST_DIRNAME/../fixtures/osv/synthetic

setup() {
  setup_build_context
  mkdir -p "$CTX/apk/lib/apk/db" "$CTX/apk/etc" "$CTX/apk/bin"
  printf 'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n' > "$CTX/apk/etc/os-release"
  cat > "$CTX/apk/lib/apk/db/installed" <<'DB'
P:musl
V:1.2.4_git20230717-r4
A:x86_64
L:MIT
o:musl
F:lib
R:ld-musl-x86_64.so.1

P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
F:bin
R:busybox.apk

P:ssl_client
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
F:usr/bin
R:ssl_client
DB
  : > "$CTX/apk/bin/busybox.apk"
  local site=$CTX/py/usr/lib/python3.11/site-packages
  mkdir -p "$site/Jinja2-3.1.2.dist-info" "$site/six-1.15.0.egg-info" "$site/MarkupSafe-2.1.3.dist-info"
  printf 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\nLicense: BSD-3-Clause\n\nbody\n' > "$site/Jinja2-3.1.2.dist-info/METADATA"
  printf 'Metadata-Version: 1.2\nName: six\nVersion: 1.15.0\n' > "$site/six-1.15.0.egg-info/PKG-INFO"
  printf 'Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 2.1.3\n' > "$site/MarkupSafe-2.1.3.dist-info/METADATA"
  local nm=$CTX/npm/app/node_modules
  mkdir -p "$nm/lodash" "$nm/@babel/core" "$nm/old-dep/node_modules/lodash"
  echo '{"name": "lodash", "version": "4.17.20", "license": "MIT"}' > "$nm/lodash/package.json"
  echo '{"name": "@babel/core", "version": "7.22.0"}' > "$nm/@babel/core/package.json"
  echo '{"name": "old-dep", "version": "1.0.0"}' > "$nm/old-dep/package.json"
  echo '{"name": "lodash", "version": "5.0.0-beta.1"}' > "$nm/old-dep/node_modules/lodash/package.json"
  # A Spring-Boot-style jar with its own pom.properties and a nested jar, and a jar with
  # only a manifest.
  mkdir -p "$CTX/java/opt/app/lib"
  python3 - "$CTX/java/opt/app" <<'PY'
import io, sys, zipfile
def jar(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()
nested = jar([("META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
               "groupId=com.fasterxml.jackson.core\nartifactId=jackson-databind\nversion=2.9.10\n")])
open(sys.argv[1] + "/app.jar", "wb").write(jar([
    ("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: org.example.App\r\n\r\n"),
    ("META-INF/maven/org.example/app/pom.properties", "groupId=org.example\nartifactId=app\nversion=1.0.0.Final\n"),
    ("BOOT-INF/lib/jackson-databind-2.9.10.jar", nested)]))
open(sys.argv[1] + "/lib/log4j-core-2.14.1.jar", "wb").write(jar([
    ("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Title: log4j-core\n"
     "Implementation-Version: 2.14.1\nImplementation-Vendor-Id: org.apache.logging.log4j\n")]))
PY
  containerfile <<'CF'
FROM localhost/busybox
COPY apk/ /
COPY py/ /
COPY npm/ /
COPY java/ /
CF
  kiln build -q -t eco "$CTX" >/dev/null
}

@test "sbom: apk, Python, npm and Maven packages with their purls and layers" {
  run -0 kiln image sbom --format '{{.Type}} {{.Name}} {{.Version}} {{.LayerIndex}} {{.Purl}}' eco
  assert_same "apk busybox 1.36.1-r15 1 pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1
apk musl 1.2.4_git20230717-r4 1 pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1
apk ssl_client 1.36.1-r15 1 pkg:apk/alpine/ssl_client@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1
maven app 1.0.0.Final 4 pkg:maven/org.example/app@1.0.0.Final
maven jackson-databind 2.9.10 4 pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10
maven log4j-core 2.14.1 4 pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1
npm @babel/core 7.22.0 3 pkg:npm/%40babel/core@7.22.0
npm lodash 4.17.20 3 pkg:npm/lodash@4.17.20
npm lodash 5.0.0-beta.1 3 pkg:npm/lodash@5.0.0-beta.1
npm old-dep 1.0.0 3 pkg:npm/old-dep@1.0.0
pypi Jinja2 3.1.2 2 pkg:pypi/jinja2@3.1.2
pypi MarkupSafe 2.1.3 2 pkg:pypi/markupsafe@2.1.3
pypi six 1.15.0 2 pkg:pypi/six@1.15.0" "$output"
  run -0 kiln image sbom --format '{{.Name}} {{.Location}}' eco
  grep -qx 'jackson-databind /opt/app/app.jar:BOOT-INF/lib/jackson-databind-2.9.10.jar' <<<"$output"
  grep -qx 'log4j-core /opt/app/lib/log4j-core-2.14.1.jar' <<<"$output"
}

@test "sbom: the SPDX and CycloneDX documents of every ecosystem validate against their schemas" {
  python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (scripts/deps.sh)"
  kiln image sbom --format spdx-json eco > "$TEST_ROOT/spdx.json"
  kiln image sbom --format cyclonedx-json eco > "$TEST_ROOT/bom.json"
  run -0 validate_schema spdx/spdx-schema.json "$TEST_ROOT/spdx.json"
  run -0 validate_schema cyclonedx/bom-1.5.schema.json "$TEST_ROOT/bom.json"
  # apk's database lists its files; the one that is a regular file in the image is there.
  [ "$(jq -r '.files[].fileName' "$TEST_ROOT/spdx.json")" = /bin/busybox.apk ]
  [ "$(jq -r '.components[] | select(.purl == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1") | .name' "$TEST_ROOT/bom.json")" = log4j-core ]
}

@test "scan: apk by origin and release, PyPI ranges and versions lists, npm SEMVER with last_affected, Maven" {
  run -0 kiln image scan --db "$SYNTHETIC" --format '{{.ID}} {{.Package}} {{.Installed}} {{.FixedIn}} {{.Severity}}' eco
  assert_same "SYN-NPM-2 @babel/core 7.22.0 7.23.2 LOW
SYN-PYPI-1 Jinja2 3.1.2 3.1.3 MEDIUM
SYN-APK-1 busybox 1.36.1-r15 1.36.1-r16 HIGH
SYN-MAVEN-1 jackson-databind 2.9.10 2.9.10.1 HIGH
SYN-NPM-1 lodash 4.17.20 4.17.21 CRITICAL
SYN-NPM-1 lodash 5.0.0-beta.1  CRITICAL
SYN-MAVEN-2 log4j-core 2.14.1 2.15.0 CRITICAL
SYN-PYPI-2 six 1.15.0  UNKNOWN
SYN-APK-1 ssl_client 1.36.1-r15 1.36.1-r16 HIGH" "$output"
  run -0 kiln image scan --db "$SYNTHETIC" --ignore-unfixed --severity high -n --format '{{.ID}} {{.Package}}' eco
  assert_same "SYN-APK-1 busybox
SYN-MAVEN-1 jackson-databind
SYN-NPM-1 lodash
SYN-MAVEN-2 log4j-core
SYN-APK-1 ssl_client" "$output"
  run -1 kiln image scan --db "$SYNTHETIC" --severity critical --exit-code 1 -n --format '{{.Package}}' eco
  [ "${#lines[@]}" -eq 3 ]
}

@test "scan: the database may come from containers.conf ([kiln] osv_db); --db wins" {
  printf '[engine]\nruntime = "runc"\n\n[kiln]\nosv_db = "%s"\n' "$SYNTHETIC" > "$TEST_ROOT/containers.conf"
  CONTAINERS_CONF=$TEST_ROOT/containers.conf run -0 kiln image scan -n --format '{{.ID}}' eco
  [ "${#lines[@]}" -eq 9 ]
  mkdir "$TEST_ROOT/empty"
  CONTAINERS_CONF=$TEST_ROOT/containers.conf run -0 kiln image scan --db "$TEST_ROOT/empty" -n eco
  [ "$output" = "" ]
  printf '[kiln\nosv_db = 1\n' > "$TEST_ROOT/bad.conf"
  CONTAINERS_CONF=$TEST_ROOT/bad.conf run -125 kiln image scan eco
  [[ "$output" == Error:*bad.conf* ]]
}
