#!/usr/bin/env bats
# run -p: a container with published ports gets a network namespace of its own, and the host's
# port reaches the container's, on the built-in isolation and on runc; podman's parse errors.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  mkdir -p "$TEST_ROOT/www" && echo hello > "$TEST_ROOT/www/index.html"
}

teardown() {
  kiln rm -a -f -t 0 >/dev/null 2>&1 || true
  cleanup_test_store
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# fetch PORT PATH: the body, retried while the server starts.
fetch() {
  for _ in $(seq 50); do curl -fs -m 2 "http://127.0.0.1:$1$2" && return 0; sleep 0.1; done
  return 1
}

isolations() {
  echo "--isolation chroot"
  if command -v runc >/dev/null; then echo "--isolation oci --runtime runc"; fi
  return 0
}

@test "run -d -p HOST:CTR serves the container's port on the host, and stops with it" {
  while read -r iso; do
    port=$(free_port)
    kiln run -d $iso --name web -p "$port:80" -v "$TEST_ROOT/www:/www" localhost/busybox httpd -f -p 80 -h /www >/dev/null
    [ "$(fetch "$port" /index.html)" = hello ]
    run -0 kiln ps --format '{{.Names}} {{.Ports}} {{.Networks}}'
    [ "$output" = "web 0.0.0.0:$port->80/tcp private" ]
    # The port is the container's: the host's own port 80 is not involved, and a second
    # container cannot take the same host port.
    run -125 kiln run --rm -p "$port:80" localhost/busybox true
    [[ "$output" == *"cannot listen on the TCP port: listen tcp4 :$port: bind: address already in use"* ]]
    kiln rm -f -t 0 web >/dev/null
    run curl -fs -m 2 "http://127.0.0.1:$port/"
    [ "$status" -ne 0 ]
  done < <(isolations)
}

@test "a foreground run with -p, an address, a host port chosen for a missing one; ps json" {
  port=$(free_port)
  kiln run --rm --name fg -p "127.0.0.1:$port:8000" -v "$TEST_ROOT/www:/www" localhost/busybox httpd -f -p 8000 -h /www 3>&- &
  pid=$!
  [ "$(fetch "$port" /index.html)" = hello ]
  kiln stop -t 0 fg >/dev/null
  wait "$pid" || true
  run kiln run --rm -p "$port:80" localhost/busybox ls /sys/class/net
  [ "$status" -eq 0 ]
  [ "$output" = lo ]  # loopback only: none of the host's interfaces
  kiln create --name rnd -p 127.0.0.1::80 localhost/busybox true >/dev/null
  run -0 kiln ps -a --format '{{.Ports}}'
  [[ "$output" =~ ^127\.0\.0\.1:[0-9]+-\>80/tcp$ ]]
  run -0 kiln ps -a --format json
  [[ "$output" == *'"host_ip": "127.0.0.1"'* && *'"container_port": 80'* && *'"protocol": "tcp"'* ]]
}

@test "-p with --network host or none is discarded with podman's warning" {
  run -0 --separate-stderr kiln create --network host -p 8080:80 localhost/busybox true
  [[ "$stderr" == *"Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use"* ]]
  run -0 kiln ps -a --format '{{.Ports}}|{{.Networks}}'
  [ "$output" = "|host" ]
}

@test "bad -p values: podman's errors, exit 125, nothing created" {
  run -125 kiln create -p 80x localhost/busybox true
  assert_same 'Error: parsing container port: invalid port number: strconv.Atoi: parsing "80x": invalid syntax' "$output"
  run -125 kiln create -p 70000:80 localhost/busybox true
  assert_same 'Error: parsing host port: port numbers must be between 1 and 65535 (inclusive), got 70000' "$output"
  run -125 kiln create -p 1.2.3:80:80 localhost/busybox true
  assert_same 'Error: cannot parse "1.2.3" as an IP address' "$output"
  run -125 kiln create -p 80/udp localhost/busybox true
  assert_same 'Error: publishing udp ports is not supported by kiln (only tcp)' "$output"
  run -125 kiln create -p 8000-8001:80-81 localhost/busybox true
  [[ "$output" == "Error: port ranges are not supported by kiln"* ]]
  [ -z "$(kiln ps -aq)" ]
}
