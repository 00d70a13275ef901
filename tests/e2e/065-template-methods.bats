#!/usr/bin/env bats
# Templates call the methods of the Go values podman exposes, as text/template does:
# inspect's Created and History[].Created are *time.Time ({{.Created.Unix}},
# {{.Created.Format "2006-01-02"}}); images' and history's Created/CreatedAt are strings.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
}

# Templates whose output (or error) must be podman's, on the imported busybox image.
TEMPLATES=(
  '{{.Created.Unix}}'
  '{{.Created.UnixNano}} {{.Created.UnixMilli}} {{.Created.Nanosecond}}'
  '{{.Created.Format "2006-01-02"}}'
  '{{.Created.Format "Mon Jan _2 15:04:05.000 MST 2006 -07:00 PM pm .999999 ,000 __2 002"}}'
  '{{.Created.Month}} {{printf "%d" .Created.Month}} {{.Created.Month.String}} {{.Created.Weekday}}'
  '{{.Created.UTC}} {{.Created.Local}} {{.Created.String}}'
  '{{.Created.Year}}-{{.Created.YearDay}} {{.Created.Day}} {{.Created.Hour}}:{{.Created.Minute}}:{{.Created.Second}}'
  '{{.Created.IsZero}} {{.Created.Before .Created}} {{.Created.After .Created}} {{.Created.Equal .Created}}'
  '{{(index .History 0).Created.Unix}} {{range .History}}{{.Created.Format "2006"}}{{end}}'
  '{{"2006" | .Created.Format}} {{$t := .Created}}{{$t.Format "Jan"}} {{with .Created}}{{.Unix}}{{end}}'
  '{{json .Created.UTC}} {{printf "%T %T %T" .Created.UTC .Created.Unix .Created.Month}}'
  '{{.Created.Zone}}'
  '{{.Created.Format}}'
  '{{.Created.Unix 1}}'
  '{{.Created.Nope}}'
  '{{.Created.Before 1}}'
)

@test "template methods: inspect's time values match podman" {
  has_podman || skip "podman not installed"
  pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
  for t in "${TEMPLATES[@]}"; do
    want=$(pm inspect --format "$t" localhost/busybox 2>&1) || true
    got=$(kiln inspect --format "$t" localhost/busybox 2>&1) || true
    assert_same "$t => $want" "$t => $got"
  done
}

@test "template methods: images' and history's Created are strings, as in podman" {
  run -125 kiln images --format '{{.Created.Unix}}' localhost/busybox
  [ "$output" = "Error: template: images:1:21: executing \"images\" at <.Created.Unix>: can't evaluate field Unix in type string" ]
  run -125 kiln history --format '{{.CreatedAt.Unix}}' localhost/busybox
  [[ "$output" == *"can't evaluate field Unix in type string"* ]]
  if has_podman; then
    pm import -q "$(busybox_tar)" localhost/busybox:latest >/dev/null
    for cmd in images history; do
      want=$(pm $cmd --format '{{.Created.Unix}}' localhost/busybox 2>&1) || true
      got=$(kiln $cmd --format '{{.Created.Unix}}' localhost/busybox 2>&1) || true
      assert_same "$want" "$got"
    done
  fi
}

@test "template methods: a built image's times" {
  printf 'FROM localhost/busybox\nRUN true\n' > "$TEST_ROOT/Containerfile"
  id=$(kiln build -q --timestamp 86400 "$TEST_ROOT")
  run -0 kiln inspect --format '{{.Created.Unix}} {{.Created.Format "2006-01-02 Monday"}} {{(index .History 1).Created.Unix}}' "$id"
  [ "$output" = "86400 1970-01-02 Friday 86400" ]
  run -0 kiln inspect --format '{{(index .History 0).Created.Before .Created}} {{.Created.Sub (index .History 0).Created}}' "$id"
  # the base was imported from a tar made at 2023-11-14 22:13:20 UTC (Unix 1700000000)
  [ "$output" = "false -472198h13m20s" ]
}
