/**
 * The name Docker shows for a tag. Podman shows tags fully qualified (`docker.io/local-registry/app:1`
 * for what Docker calls `local-registry/app:1`: a first part without a dot, a colon or `localhost`
 * is a Docker Hub namespace). Every caller compares tags with the names Butler writes, so the
 * engine client hands out Docker's form, whichever engine answered.
 */
export function familiarTag(tag: string): string {
  if (tag.startsWith('docker.io/library/')) return tag.slice('docker.io/library/'.length);
  if (tag.startsWith('docker.io/')) return tag.slice('docker.io/'.length);
  return tag;
}

/** Tags in Docker's form, without the placeholders engines put on untagged images. */
export function familiarTags(tags: readonly string[] | null | undefined): string[] {
  return (tags ?? []).filter((tag) => tag !== '<none>:<none>' && tag !== '<none>').map(familiarTag);
}
