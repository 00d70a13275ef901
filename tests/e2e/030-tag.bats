#!/usr/bin/env bats
# tag and untag.
load helpers

setup() { setup_store; }

@test "tag normalises short names to localhost/ and keeps registries" {
  import_busybox >/dev/null
  run kiln tag busybox myapp:1.0 myapp harbor.company.com/project/myapp:1.0 registry:5000/ns/repo:tag
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run kiln images --format '{{.Repository}}:{{.Tag}}'
  for n in localhost/myapp:1.0 localhost/myapp:latest harbor.company.com/project/myapp:1.0 registry:5000/ns/repo:tag; do
    [[ "$output" == *"$n"* ]] || { echo "missing $n"; return 1; }
  done
}

@test "a name moves to the image it is given to" {
  import_busybox >/dev/null
  other=$(kiln import -q --change 'ENV X=1' "$(busybox_tar)")
  kiln tag busybox app:1
  kiln tag "$other" app:1
  run kiln inspect --format json app:1
  [ "$(echo "$output" | jq -r '.[0].Id')" = "${other#sha256:}" ]
}

@test "tag errors: podman's texts and exit codes" {
  import_busybox >/dev/null
  run kiln tag busybox MyApp
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: normalizing name "MyApp": normalizing name "MyApp": repository name must be lowercase' ]
  run kiln tag busybox "x:$(printf 'a%.0s' {1..129})"
  [ "$status" -eq 125 ]
  [[ "$output" == "Error: "* ]]
  run kiln tag nosuch x
  [ "$status" -eq 125 ]
  [ "$output" = "Error: nosuch: image not known" ]
  run kiln tag busybox
  [ "$status" -eq 125 ]
  [ "$output" = "Error: requires at least 2 arg(s), only received 1" ]
}

@test "tag errors match podman byte for byte" {
  has_podman || skip "podman not installed"
  kiln import -q "$(busybox_tar)" busybox >/dev/null; pm import -q "$(busybox_tar)" busybox >/dev/null
  for target in MyApp 'a:b@c' 'x:-bad' 'UPPER/case:1' 'ok/..bad'; do
    run kiln tag busybox "$target"; k="$status:$output"
    run pm tag busybox "$target"; p="$status:$output"
    assert_same "$p" "$k"
  done
}

@test "untag removes one name, or all of them" {
  import_busybox >/dev/null
  kiln tag busybox a:1 b:2
  run kiln untag busybox a:1
  [ "$status" -eq 0 ]
  run kiln images --format '{{.Repository}}:{{.Tag}}'
  [[ "$output" != *"localhost/a:1"* ]]
  [[ "$output" == *"localhost/b:2"* ]]
  kiln untag busybox
  run kiln images --noheading
  [[ "$output" == "<none>"* ]]
}

@test "untag of a name the image lacks" {
  import_busybox >/dev/null
  run kiln untag busybox nosuch:1
  [ "$status" -eq 125 ]
  [ "$output" = "Error: localhost/nosuch:1: tag not known" ]
}
