#!/usr/bin/env bats
# system df.
load helpers

setup() { setup_store; }

@test "system df on an empty store" {
  run kiln system df
  [ "$status" -eq 0 ]
  assert_same "TYPE           TOTAL       ACTIVE      SIZE        RECLAIMABLE
Images         0           0           0B          0B (0%)
Containers     0           0           0B          0B (0%)
Local Volumes  0           0           0B          0B (0%)" "$output"
}

@test "system df counts images and matches podman for unshared images" {
  import_busybox >/dev/null
  run kiln system df
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = "Images         1           0           2.131MB     2.131MB (100%)" ]
  if has_podman; then
    pm import -q "$(busybox_tar)" busybox >/dev/null
    assert_same "$(pm system df)" "$(kiln system df)"
  fi
}

@test "shared layers are counted once" {
  import_busybox >/dev/null
  kiln import -q --change 'ENV X=1' "$(busybox_tar)" two >/dev/null
  run kiln system df
  [[ "${lines[1]}" == "Images         2           0           2.13"* ]]
}

@test "system df -v" {
  id=$(import_busybox); id=${id#sha256:}
  run kiln system df -v
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Images space usage:" ]
  [[ "${lines[1]}" == "REPOSITORY"*"SHARED SIZE  UNIQUE SIZE  CONTAINERS" ]]   # bats drops blank lines
  [[ "${lines[2]}" =~ ^localhost/busybox\ +latest\ +${id:0:12}\ +[0-9]+\ years\ +2.131MB\ +0B\ +2.131MB\ +0$ ]]
  [[ "$output" == *"Containers space usage:"* ]]
  [[ "$output" == *"Local Volumes space usage:"* ]]
}

@test "system df --format: podman's dfSummary fields" {
  import_busybox >/dev/null
  run kiln system df --format '{{.Type}}|{{.Total}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}|{{.RawSize}}'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Images|1|0|2.131MB|2.131MB (100%)|2130995" ]
  [ "${lines[1]}" = "Containers|0|0|0B|0B (0%)|0" ]
  run kiln system df --format 'table {{.Type}}\t{{.Size}}'
  [ "${lines[0]}" = "TYPE           SIZE" ]
  run kiln system df --format '{{.Nope}}'
  [ "$status" -eq 125 ]
  [ "$output" = 'Error: template: df:1:13: executing "df" at <.Nope>: can'"'"'t evaluate field Nope in type *system.dfSummary' ]
  if has_podman; then
    pm import -q "$(busybox_tar)" busybox >/dev/null
    for f in '{{.Type}} {{.Total}} {{.Size}} {{.Reclaimable}}' 'table {{.Type}}\t{{.Active}}'; do
      assert_same "$(pm system df --format "$f")" "$(kiln system df --format "$f")"
    done
  fi
}

@test "system df counts containers and the images they use" {
  import_busybox >/dev/null
  kiln run --name sized busybox sh -c 'dd if=/dev/zero of=/big bs=1k count=100 2>/dev/null' || skip "no container runtime here"
  run kiln system df
  [[ "${lines[1]}" =~ ^Images\ +1\ +1\ +2.131MB\ +0B\ \(0%\)$ ]]
  [[ "${lines[2]}" =~ ^Containers\ +1\ +0\ +10[0-9.]+kB\ +10[0-9.]+kB\ \(100%\)$ ]]
  kiln rm sized >/dev/null
  run kiln system df
  [[ "${lines[2]}" =~ ^Containers\ +0\ +0\ +0B ]]
}
