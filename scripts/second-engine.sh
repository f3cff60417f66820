#!/usr/bin/env bash
# A second Docker engine on this host, to play "another machine" in the shared-cache tests.
#   second-engine.sh start DIR BRIDGE   prints the engine's DOCKER_HOST (unix://DIR/docker.sock)
#   second-engine.sh stop DIR BRIDGE    stops it, removes its bridge and everything under DIR
# With SECOND_ENGINE_TLS=PORT:CERTDIR it also listens on tcp://127.0.0.1:PORT with --tlsverify
# (CERTDIR holds ca.pem, server.pem and server-key.pem), as a remote engine secured with TLS does.
#
# Everything is its own: data root, exec root (hence its own managed containerd), pid file, socket,
# containerd namespaces, and a bridge made here for it. Never --bridge=none: a second daemon started
# that way in the same network namespace deletes the first daemon's docker0, after which every
# `docker run` on the first fails. --iptables=false: it must not touch the first engine's rules.
set -euo pipefail

log() { printf 'second-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}; dir=${2:-}; bridge=${3:-}
[ -n "$cmd" ] && [ -n "$dir" ] && [ -n "$bridge" ] || die "usage: second-engine.sh start|stop DIR BRIDGE"
[ "$(id -u)" = 0 ] || die "a second dockerd needs root"
# Unix socket paths are limited to 108 bytes; containerd's sits deepest.
[ "${#dir}" -le 60 ] || die "DIR must be a short path (at most 60 characters): $dir"

case "$cmd" in
start)
  command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed; run scripts/docker-engine.sh"
  mkdir -p "$dir/data" "$dir/exec"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    # A /24 of its own, clear of docker0 (172.17/16), of the first engine's networks and of other
    # second engines started at the same moment (the lock makes picking and taking one step).
    exec 8>"${TMPDIR:-/tmp}/butler-second-engine.lock"
    command -v flock >/dev/null 2>&1 && flock 8
    subnet=
    for n in $(seq 200 250); do
      ip -4 addr show | grep -q "inet 172\.30\.$n\." || { subnet=$n; break; }
    done
    [ -n "$subnet" ] || die "no free 172.30.200-250.0/24 subnet for the bridge"
    ip link add "$bridge" type bridge
    ip addr add "172.30.$subnet.1/24" dev "$bridge"
    ip link set "$bridge" up
    flock -u 8 2>/dev/null || true
  fi
  # Its containers must reach each other on its own networks (a deploy's front asks the app by
  # name). The first engine's FORWARD policy is DROP with ACCEPTs for its own bridges only, and this
  # engine adds none (--iptables=false): accept traffic that stays within one bridge, whichever —
  # what the first engine accepts for its bridges anyway. Routed traffic between bridges is untouched.
  if command -v iptables >/dev/null 2>&1; then
    iptables -C FORWARD -m physdev --physdev-is-bridged -j ACCEPT 2>/dev/null \
      || iptables -I FORWARD -m physdev --physdev-is-bridged -j ACCEPT 2>/dev/null \
      || log "warning: could not let containers on this engine's networks reach each other (iptables physdev)"
  fi
  tls_args=()
  if [ -n "${SECOND_ENGINE_TLS:-}" ]; then
    tls_port=${SECOND_ENGINE_TLS%%:*}; tls_dir=${SECOND_ENGINE_TLS#*:}
    tls_args=(--host "tcp://127.0.0.1:$tls_port" --tlsverify --tlscacert "$tls_dir/ca.pem"
      --tlscert "$tls_dir/server.pem" --tlskey "$tls_dir/server-key.pem")
  fi
  nohup dockerd "${tls_args[@]}" \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    --host "unix://$dir/docker.sock" \
    --containerd-namespace "$bridge" --containerd-plugins-namespace "$bridge-plugins" \
    --bridge "$bridge" --iptables=false --ip-masq=false \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if docker -H "unix://$dir/docker.sock" info >/dev/null 2>&1; then
      echo "unix://$dir/docker.sock"
      exit 0
    fi
    sleep 0.5
  done
  tail -n 20 "$dir/dockerd.log" >&2 || true
  die "the second engine did not answer within 30 s; see $dir/dockerd.log"
  ;;
stop)
  # Its networks' bridges (br-<id>, and docker_gwbridge once it joined a swarm) live in this
  # machine's network namespace and outlive the daemon: named now, deleted once it stopped, so
  # runs do not use up the address pools every engine here allocates from.
  made=()
  if docker -H "unix://$dir/docker.sock" info >/dev/null 2>&1; then
    for id in $(docker -H "unix://$dir/docker.sock" network ls -q --no-trunc --filter driver=bridge 2>/dev/null); do
      made+=("br-${id:0:12}")
    done
    docker -H "unix://$dir/docker.sock" network inspect docker_gwbridge >/dev/null 2>&1 && made+=(docker_gwbridge)
  fi
  if [ -f "$dir/docker.pid" ]; then
    pid=$(cat "$dir/docker.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ip link show "$bridge" >/dev/null 2>&1 && ip link del "$bridge"
  for link in "${made[@]}"; do ip link del "$link" 2>/dev/null || true; done
  # A killed daemon can leave overlay mounts behind; only those under DIR are touched.
  { grep -o " $dir/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
  rm -rf "$dir"
  ;;
*) die "usage: second-engine.sh start|stop DIR BRIDGE" ;;
esac
