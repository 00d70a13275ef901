# Sourced by the benchmarks that compare with docker 20.10: start_dockerd DIR starts a dockerd
# of its own (socket, data and exec roots under DIR; no iptables, no bridge), exports
# DOCKER_HOST and sets docker_pid; it returns 0 once `docker info` answers, 1 when dockerd is
# not installed or does not come up. stop_dockerd stops it. Debian's docker.io is installed
# only with BENCH_INSTALL_DOCKER=1.
docker_pid=
start_dockerd() {
  local dir=$1
  if [ "${BENCH_INSTALL_DOCKER:-0}" = 1 ] && ! command -v dockerd >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
  fi
  command -v dockerd >/dev/null || return 1
  dockerd --host "unix://$dir/dockerd.sock" --data-root "$dir/docker" --exec-root "$dir/docker-exec" \
    --pidfile "$dir/dockerd.pid" --iptables=false --bridge=none >"$dir/dockerd.log" 2>&1 &
  docker_pid=$!
  export DOCKER_HOST=unix://$dir/dockerd.sock
  for _ in $(seq 1 50); do /usr/bin/docker info >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
stop_dockerd() {
  if [ -n "$docker_pid" ]; then kill "$docker_pid" 2>/dev/null; wait "$docker_pid" 2>/dev/null || true; fi
  docker_pid=
}
