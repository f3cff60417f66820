#!/usr/bin/env bash
# The main job on an example: sets everything up, then builds examples/hello-node twice with butler.
# The first run builds (or reuses an earlier build); the second always reuses the image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The project's Node.js, which bootstrap installed, first on PATH.
source scripts/node-toolchain.sh
example=${1:-examples/hello-node}
echo "── butler build $example (first run) ──"
packages/cli/bundle/bin.js build "$example"
echo "── butler build $example (second run: nothing changed, so the image is reused) ──"
packages/cli/bundle/bin.js build "$example"
