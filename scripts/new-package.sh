#!/usr/bin/env bash
# Creates the shell of a workspace package: package.json, tsconfigs and vitest config.
# Usage: scripts/new-package.sh <dir-name> "<description>" [dependency ...]
set -euo pipefail
name=$1 description=$2; shift 2
dir=packages/$name
mkdir -p "$dir/src"
deps=""
for d in "$@"; do deps="$deps\"$d\": \"workspace:^\","; done
cat >"$dir/package.json" <<JSON
{
  "name": "@devops-butler/$name",
  "version": "0.0.0",
  "description": "$description",
  "license": "MIT",
  "type": "module",
  "exports": {
    ".": {
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js"
    }
  },
  "types": "./dist/index.d.ts",
  "files": ["dist"],
  "engines": { "node": ">=22.13" },
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "lint": "biome check .",
    "test": "vitest run --reporter=default --reporter=json --outputFile=test-results.json",
    "test:unit": "vitest run --project unit"
  },
  "dependencies": { ${deps%,} },
  "devDependencies": { "@devops-butler/test-support": "workspace:^" }
}
JSON
cat >"$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"]
}
JSON
cat >"$dir/tsconfig.build.json" <<JSON
{
  "extends": "./tsconfig.json",
  "exclude": ["src/**/*.test.ts"]
}
JSON
cat >"$dir/vitest.config.ts" <<TS
import { butlerVitestConfig } from '@devops-butler/test-support/vitest';

export default butlerVitestConfig();
TS
