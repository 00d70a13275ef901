#!/usr/bin/env bash
# Writes the containers.conf that podman 4.3.1 needs on this kind of machine (for tests and
# benchmarks that run it side by side, through CONTAINERS_CONF — never /etc's):
# runc (crun refuses the hybrid cgroups here), cgroupfs, file events, and ulimits no higher
# than the hard limits (no CAP_SYS_RESOURCE).
# usage: podman-conf.sh FILE
set -euo pipefail
cat > "${1:?usage: podman-conf.sh FILE}" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
