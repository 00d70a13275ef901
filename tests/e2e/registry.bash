# Starts and stops Debian's docker-registry for the registry tests: 127.0.0.1 only, a free
# port, storage in a temp dir. Usage: start_registry [auth] [tls]; sets REG (localhost:PORT),
# REG_PORT, REG_DIR, REG_URL (for registry-tool.py), REG_CERTS (a --cert-dir, with tls),
# REG_USER/REG_PASS (with auth). stop_registry kills it by its pid.
REG_TOOL="python3 $BATS_TEST_DIRNAME/registry-tool.py"

has_registry() { command -v docker-registry >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; }

start_registry() {
  local auth= tls=
  for a in "$@"; do case $a in auth) auth=1 ;; tls) tls=1 ;; esac; done
  REG_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/registry.XXXXXX")
  REG_PORT=$($REG_TOOL free-port)
  REG=localhost:$REG_PORT
  REG_URL=http://127.0.0.1:$REG_PORT
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: info"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $REG_DIR/data"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: 127.0.0.1:$REG_PORT"
    if [ -n "$tls" ]; then
      REG_CERTS=$REG_DIR/certs
      mkdir -p "$REG_CERTS"
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$REG_DIR/key.pem" -out "$REG_CERTS/ca.crt" 2>/dev/null
      echo "  tls:"
      echo "    certificate: $REG_CERTS/ca.crt"
      echo "    key: $REG_DIR/key.pem"
      REG_URL=https://127.0.0.1:$REG_PORT
    fi
    if [ -n "$auth" ]; then
      REG_USER=kilnuser REG_PASS=s3cret
      python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
        "$REG_USER" "$REG_PASS" > "$REG_DIR/htpasswd"
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: kiln-test"
      echo "    path: $REG_DIR/htpasswd"
    fi
  } > "$REG_DIR/config.yml"
  # docker-registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE would break it).
  env -u REGISTRY_AUTH_FILE docker-registry serve "$REG_DIR/config.yml" > "$REG_DIR/log" 2>&1 &
  REG_PID=$!
  local i
  for i in $(seq 100); do
    if curl -sk -o /dev/null "${REG_URL/127.0.0.1/localhost}/v2/" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "registry did not start:" >&2
  cat "$REG_DIR/log" >&2
  return 1
}

stop_registry() {
  if [ -n "${REG_PID:-}" ]; then kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; REG_PID=; fi
  if [ -n "${PROXY_PID:-}" ]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=; fi
}

# Requests for blobs of REPO the registry has served so far.
blob_gets() { grep -a -c "\"GET /v2/$1/blobs/sha256" "$REG_DIR/log" || true; }

# Waits (up to 10 s) until something listens on 127.0.0.1:PORT: registry-tool.py's proxy,
# started in the background, takes more than half a second to start on a loaded machine.
wait_for_port() {
  local i
  for i in $(seq 200); do
    if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}
