#!/usr/bin/env bash
# Everything a fresh Debian machine needs before Butler runs: a Docker engine, pnpm, the workspace's
# dependencies from the lockfile, a build of every package, and the local base images.
set -euo pipefail
cd "$(dirname "$0")/.."
# turbo's usage telemetry would send traffic off this machine.
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

log() { printf 'bootstrap: %s\n' "$*" >&2; }

# The project's Node.js first on PATH (installed into .tools/ when missing).
source scripts/node-toolchain.sh

bash scripts/docker-engine.sh

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  log "installing pnpm $pnpm_version"
  npm install -g "pnpm@$pnpm_version" >/dev/null 2>&1 || { log "error: npm install -g pnpm@$pnpm_version failed"; exit 1; }
fi

log "installing dependencies from the lockfile"
pnpm install --frozen-lockfile --reporter=silent
log "building packages"
pnpm build --output-logs=errors-only
bash scripts/base-images.sh
