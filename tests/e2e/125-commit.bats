#!/usr/bin/env bats
# commit: a container's changes as a new image, compared with podman 4.3.1's.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  kiln run --name c1 localhost/busybox sh -c 'echo hi > /hi; rm /bin/ls; mkdir -p /d; echo x > /d/x' >/dev/null
}

@test "commit: the container's files, deletions and command become the new image" {
  run -0 kiln commit c1 cm1
  [[ "$output" == *"Writing manifest to image destination"* ]]
  id=${lines[-1]}
  [ ${#id} = 64 ]
  run -0 kiln images --format '{{.Repository}}:{{.Tag}} {{.ID}}' cm1
  [ "$output" = "localhost/cm1:latest ${id:0:12}" ]
  run -0 kiln run --rm cm1 sh -c 'cat /hi /d/x; test -e /bin/ls || echo gone'
  [ "$output" = $'hi\nx\ngone' ]
  run -0 kiln inspect --format '{{len .RootFS.Layers}} {{json .Config.Cmd}} {{.Config.WorkingDir}}' cm1
  [ "$output" = '2 ["sh","-c","echo hi > /hi; rm /bin/ls; mkdir -p /d; echo x > /d/x"] /' ]
  # the committed image runs its command by default
  run -0 kiln run --rm cm1
  run -0 kiln history --format '{{.CreatedBy}}|{{.Comment}}' cm1
  [ "${lines[0]}" = "/bin/sh|FROM localhost/busybox:latest" ]
}

@test "commit: -q, -a, -c, --iidfile, -f docker -m, --squash" {
  run -0 kiln commit -q -a me -c 'ENV A=1' -c 'CMD ["sh"]' --iidfile "$BATS_TEST_TMPDIR/iid" c1 cm2
  [ "${#lines[@]}" = 1 ]
  [ "$(cat "$BATS_TEST_TMPDIR/iid")" = "sha256:${lines[0]}" ]
  run -0 kiln inspect --format '{{.Author}}|{{json .Config.Cmd}}|{{index .Config.Env 0}}' cm2
  [ "$output" = 'me|["sh"]|PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' ]
  run -0 kiln inspect --format '{{range .Config.Env}}{{.}} {{end}}' cm2
  [[ "$output" == *" A=1 "* ]]
  run -0 kiln commit -q -f docker -m msg c1 cm3
  run -0 kiln inspect --format '{{.Comment}}|{{.ManifestType}}' cm3
  [ "$output" = "msg|application/vnd.docker.distribution.manifest.v2+json" ]
  run -0 kiln commit -q --squash c1 cm4
  run -0 kiln inspect --format '{{len .RootFS.Layers}} {{len .History}}' cm4
  [ "$output" = "1 1" ]
  run -0 kiln run --rm cm4 sh -c 'cat /hi; test -e /bin/ls || echo gone'
  [ "$output" = $'hi\ngone' ]
  # a container that is still there can be committed again; the image keeps working without it
  kiln rm c1 >/dev/null
  run -0 kiln run --rm cm4 cat /d/x
}

@test "commit: bad input gets podman's errors and changes nothing" {
  before=$(kiln images -a --format '{{.ID}}' | sort)
  run -125 kiln commit nosuch x
  [ "$output" = 'Error: no container with name or ID "nosuch" found: no such container' ]
  run -125 kiln commit c1 'Bad:Name'
  [ "$output" = "Error: repository name must be lowercase" ]
  run -125 kiln commit -q -c 'BOGUS x' c1 cm
  [ "$output" = 'Error: invalid change "BOGUS x" - invalid instruction BOGUS' ]
  run -125 kiln commit -q -m msg c1 cm
  [ "$output" = "Error: messages are only compatible with the docker image format (-f docker)" ]
  run -125 kiln commit
  [[ "$output" == "Error: "* ]]
  [ "$(kiln images -a --format '{{.ID}}' | sort)" = "$before" ]
}

@test "commit: history, config and files match podman's" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  pm run --name c1 localhost/busybox sh -c 'echo hi > /hi; rm /bin/ls; mkdir -p /d; echo x > /d/x' >/dev/null
  local tmpl='{{len .RootFS.Layers}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{.Author}}{{range .History}} [{{.CreatedBy}}|{{.Comment}}|{{.Author}}]{{end}}'
  want=$(pm inspect --format "$tmpl" "$(pm commit -q -a me c1)")
  got=$(kiln inspect --format "$tmpl" "$(kiln commit -q -a me c1)")
  assert_same "$want" "$got"
  want=$(pm inspect --format "$tmpl" "$(pm commit -q --squash c1)")
  got=$(kiln inspect --format "$tmpl" "$(kiln commit -q --squash c1)")
  assert_same "$want" "$got"
}
