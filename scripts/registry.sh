#!/usr/bin/env bash
# A real OCI registry (CNCF Distribution, Debian's docker-registry package) on 127.0.0.1, for tests.
#   registry.sh start DIR PORT   storage under DIR/data, deletes enabled, no auth; waits until /v2/ answers
#                                (REGISTRY_* variables override the config: REGISTRY_AUTH=htpasswd, …)
#   registry.sh stop DIR         stops it (DIR stays; the caller removes it)
# Engines treat 127.0.0.0/8 registries as insecure-allowed: plain HTTP needs no engine setting.
set -euo pipefail

log() { printf 'registry: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: registry.sh start DIR PORT | stop DIR"

case "$cmd" in
start)
  port=${3:-}; [ -n "$port" ] || die "usage: registry.sh start DIR PORT"
  bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
  [ -x "$bin" ] || die "docker-registry is not installed; run scripts/docker-engine.sh (it installs it)"
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
  nohup "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 100); do
    # Node is on every machine Butler runs on; curl need not be.
    # Any answer will do: with auth configured (REGISTRY_AUTH_* variables) /v2/ says 401.
    if node -e "fetch('http://127.0.0.1:$port/v2/').then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))"; then
      exit 0
    fi
    kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || { tail -n 5 "$dir/registry.log" >&2; die "it exited"; }
    sleep 0.1
  done
  die "no answer on 127.0.0.1:$port within 10 s; see $dir/registry.log"
  ;;
stop)
  [ -f "$dir/registry.pid" ] || exit 0
  pid=$(cat "$dir/registry.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/registry.pid"
  ;;
*) die "usage: registry.sh start DIR PORT | stop DIR" ;;
esac
