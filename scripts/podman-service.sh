#!/usr/bin/env bash
# Podman serving the Docker Engine API on a socket of its own, for the Podman tests.
#   podman-service.sh start DIR   installs Debian's podman when missing, starts `podman system
#                                 service` with its own storage under DIR, loads the local base
#                                 images from Docker into it, prints its DOCKER_HOST
#   podman-service.sh stop DIR    stops it and removes everything under DIR
set -euo pipefail

log() { printf 'podman-service: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: podman-service.sh start|stop DIR"
[ "${#dir}" -le 60 ] || die "DIR must be a short path (at most 60 characters): $dir"

case "$cmd" in
start)
  if ! command -v podman >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "podman is not installed, and installing it needs root"
    log "installing podman (Debian's package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q podman >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q podman >/dev/null; } \
      || die "apt-get install podman failed"
  fi
  mkdir -p "$dir/root" "$dir/runroot"
  # Podman gives containers high nofile/nproc limits by default; where the host's hard limits are
  # lower (sandboxes, CI containers) runc may not raise them and no container starts.
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
CONF
  export CONTAINERS_CONF="$dir/containers.conf"
  podman=(podman --root "$dir/root" --runroot "$dir/runroot")
  nohup "${podman[@]}" system service --time=0 "unix://$dir/podman.sock" >"$dir/service.log" 2>&1 </dev/null &
  echo $! >"$dir/service.pid"
  for _ in $(seq 1 100); do
    [ -S "$dir/podman.sock" ] && node -e "require('http').get({socketPath: '$dir/podman.sock', path: '/_ping'}, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))" && break
    kill -0 "$(cat "$dir/service.pid")" 2>/dev/null || { tail -n 5 "$dir/service.log" >&2; die "it exited"; }
    sleep 0.1
  done
  [ -S "$dir/podman.sock" ] || die "no socket at $dir/podman.sock within 10 s; see $dir/service.log"
  # The tests' base images come from the Docker engine (nothing can be pulled here).
  for image in butler-test/busybox:latest; do
    docker image inspect "$image" >/dev/null 2>&1 || die "$image is missing in Docker; run scripts/base-images.sh"
    docker save "$image" | docker -H "unix://$dir/podman.sock" load -q >/dev/null || die "loading $image into Podman failed"
  done
  echo "unix://$dir/podman.sock"
  ;;
stop)
  if [ -f "$dir/service.pid" ]; then
    pid=$(cat "$dir/service.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Podman's storage may hold overlay mounts: unmount before removing.
  CONTAINERS_CONF="$dir/containers.conf" podman --root "$dir/root" --runroot "$dir/runroot" system reset --force >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) die "usage: podman-service.sh start|stop DIR" ;;
esac
