#!/usr/bin/env bash
# Builds the local base images that tests and examples use, since no public registry is reachable:
#   butler-test/busybox:latest  FROM scratch + Debian's static busybox (sh, ls, cat, ...)
#   butler-test/node:latest     the same busybox plus the host's node binary and the libraries ldd lists
# Idempotent: each image carries a label with the digest of its inputs and is rebuilt only when they change.
# Only the butler-test/ namespace is ever touched.
set -euo pipefail

log() { printf 'base-images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/docker-engine.sh first"
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found; install Debian's busybox-static (scripts/docker-engine.sh does)"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || ldd "$busybox" 2>&1 | grep -q 'not a dynamic' \
  || die "$busybox is not statically linked; install busybox-static"

label=devops-butler.test-base-inputs

# Test packages run in parallel and each one's global setup calls this script: one at a time.
exec 9>"${TMPDIR:-/tmp}/butler-base-images.lock"
command -v flock >/dev/null 2>&1 && flock 9

# build_image NAME DIR [EXTRA]: builds DIR (which holds a Dockerfile) as NAME unless an image with the
# same inputs exists. EXTRA (the parent image's ID) is folded in so a rebuilt parent rebuilds the child.
build_image() {
  local name=$1 dir=$2 extra=${3:-} inputs current
  inputs=$( (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$extra") | sha256sum | cut -c1-64)
  current=$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$name" 2>/dev/null || true)
  if [ "$current" = "$inputs" ]; then
    log "$name is up to date"
    return
  fi
  log "building $name"
  local previous
  previous=$(docker image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  # The legacy builder needs no buildx plugin; its deprecation notice is noise here.
  DOCKER_BUILDKIT=0 docker build -q --label "$label=$inputs" -t "$name" "$dir" 2>&1 >/dev/null \
    | grep -v -e '^DEPRECATED' -e 'BuildKit is currently' -e 'environment-variable' -e '^$' >&2 || true
  docker image inspect "$name" >/dev/null 2>&1 || die "building $name failed"
  # The image it replaces is ours and now untagged; an image still in use stays (never forced).
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$name")" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# busybox: the applets are installed as symlinks at build time so RUN lines can use /bin/sh.
mkdir -p "$work/busybox"
cp "$busybox" "$work/busybox/busybox"
cat >"$work/busybox/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/bin:/usr/bin:/bin
CMD ["/bin/sh"]
DOCKERFILE
build_image butler-test/busybox:latest "$work/busybox"

# node: the host's node with exactly the shared libraries it links against, on top of busybox.
node_bin=$(readlink -f "$(command -v node)")
mkdir -p "$work/node/rootfs/usr/local/bin"
cp "$node_bin" "$work/node/rootfs/usr/local/bin/node"
ldd "$node_bin" | awk '/=>/ { print $3 } /^\t\/.*ld-linux/ { print $1 }' | while read -r lib; do
  [ -n "$lib" ] && [ -f "$lib" ] || continue
  mkdir -p "$work/node/rootfs$(dirname "$lib")"
  cp -L "$lib" "$work/node/rootfs$lib"
done
cat >"$work/node/Dockerfile" <<'DOCKERFILE'
FROM butler-test/busybox:latest
COPY rootfs/ /
ENV NODE_ENV=production
CMD ["node"]
DOCKERFILE
build_image butler-test/node:latest "$work/node" "$(docker image inspect --format '{{.Id}}' butler-test/busybox:latest)"
