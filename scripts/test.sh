#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up (engine included), every package's unit and e2e
# tests through turbo, then one closing line "N passed, N failed" from the runners' own counts.
set -uo pipefail
cd "$(dirname "$0")/.."
# turbo's usage telemetry would send traffic off this machine.
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
bash scripts/bootstrap.sh || exit 1
# The project's Node.js, which bootstrap installed, first on PATH for the tests.
source scripts/node-toolchain.sh || exit 1
# Stale results must never be counted as this run's.
find packages examples -name test-results.json -not -path '*/node_modules/*' -delete
pnpm test --output-logs=new-only --concurrency=2 --continue
status=$?
node scripts/test-summary.mjs
summary=$?
[ "$status" -eq 0 ] && [ "$summary" -eq 0 ]
