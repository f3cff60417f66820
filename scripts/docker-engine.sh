#!/usr/bin/env bash
# Makes a Docker engine answer on the default socket.
# Does nothing when one already answers (Docker Desktop, a system service, an earlier run).
# On a Debian host without one: installs docker.io (plus busybox-static, docker-registry, git,
# iproute2, which the tests use), removes a stale pid file, starts dockerd in the background and waits.
set -euo pipefail

log() { printf 'docker-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || need_pkgs+=(docker-registry)
command -v git >/dev/null 2>&1 || need_pkgs+=(git)
# The shared-cache tests give a second engine its own bridge with `ip`.
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)

# An engine that answers already needs only the tools the tests use (the same list, minus docker.io);
# where they cannot be installed here, say so and leave the engine be.
if engine_answers; then
  need_pkgs=("${need_pkgs[@]/docker.io}")
  read -r -a need_pkgs <<<"${need_pkgs[*]}"
  if [ "${#need_pkgs[@]}" -gt 0 ] && { ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; }; then
    log "warning: the tests also need ${need_pkgs[*]}; install them (an engine answers, so nothing else to do)"
    exit 0
  fi
fi

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 \
    || die "no Docker engine answers and this is not a Debian host; start Docker yourself (missing: ${need_pkgs[*]})"
  [ "$(id -u)" = 0 ] || die "installing ${need_pkgs[*]} needs root; run: sudo $0"
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # docker.io pulls in containerd and runc; recommends are not needed.
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
    || die "apt-get install ${need_pkgs[*]} failed"
fi

if engine_answers; then
  log "an engine already answers; nothing to do"
  exit 0
fi

# The docker.io package may ship an older client in /usr/bin; whichever docker is first
# on PATH talks to the same socket, so either works.
[ "$(id -u)" = 0 ] || die "starting dockerd needs root; run: sudo $0"

pidfile=/var/run/docker.pid
if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  log "removing stale $pidfile"
  rm -f "$pidfile"
fi
# containerd from an earlier, killed dockerd leaves its own pid file behind too.
rm -f /var/run/docker/containerd/containerd.pid 2>/dev/null || true

logfile=${DOCKERD_LOG:-/var/log/dockerd.log}
if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd (log: $logfile)"
  nohup dockerd --host=unix:///var/run/docker.sock >"$logfile" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine is up ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    exit 0
  fi
  sleep 1
done
tail -n 20 "$logfile" >&2 || true
die "dockerd did not answer within 60 s; see $logfile"
