#!/usr/bin/env bash
# An sshd of the tests' own on 127.0.0.1, so ssh:// engines can be tried for real.
#   sshd-service.sh start DIR [ENGINE [ALIAS]]
#                               installs Debian's openssh-server when missing, starts sshd with its
#                               own config, host key and port under DIR (key login only), makes a
#                               client key and an ssh config for it, prints that config's path
#                               (use with BUTLER_SSH_CONFIG, host ALIAS, default "butler-test-engine").
#                               ENGINE: the DOCKER_HOST its sessions get (a second engine plays a
#                               remote host's engine; default: the machine's own)
#   sshd-service.sh stop DIR    stops it and removes everything under DIR
# OpenSSH reads the passwd home's ~/.ssh, not $HOME: everything here goes through -F.
set -euo pipefail

log() { printf 'sshd-service: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}; dir=${2:-}; engine=${3:-}; alias=${4:-butler-test-engine}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: sshd-service.sh start|stop DIR"

case "$cmd" in
start)
  if [ ! -x /usr/sbin/sshd ]; then
    [ "$(id -u)" = 0 ] || die "openssh-server is not installed, and installing it needs root"
    log "installing openssh-server (Debian's package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends openssh-server >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends openssh-server >/dev/null; } \
      || die "apt-get install openssh-server failed"
  fi
  mkdir -p "$dir" /run/sshd
  chmod 700 "$dir"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key" >/dev/null
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
${engine:+SetEnv DOCKER_HOST=$engine}
CONF
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || die "sshd did not start (see $dir/sshd.log)"
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
  cat >"$dir/ssh_config" <<CONF
Host $alias
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $dir/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  StrictHostKeyChecking yes
CONF
  for _ in $(seq 1 50); do
    ssh -F "$dir/ssh_config" -o BatchMode=yes "$alias" true 2>/dev/null && break
    sleep 0.2
  done
  echo "$dir/ssh_config"
  ;;
stop)
  [ -f "$dir/sshd.pid" ] && kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
  rm -rf "$dir"
  ;;
*) die "usage: sshd-service.sh start|stop DIR" ;;
esac
