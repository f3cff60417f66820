// The bench's BuildKit records: every build it times leaves some (a new folder's context alone is
// 230 MB), and BuildKit keeps them until a prune. Those made while it ran are pruned at the end,
// so a bench run leaves the build cache as it found it. BuildKit cannot tell whose build made a
// record: one of yours made meanwhile on the same engine goes too (it is cache: rebuilt when needed).
import { buildCacheRecords, engineEndpoint, pruneBuildCacheRecord } from '@devops-butler/engine-client';

/** The IDs of the engine's build-cache records now (empty where it keeps none). */
export async function buildCacheIds() {
  const records = await buildCacheRecords(engineEndpoint()).catch(() => undefined);
  return new Set((records ?? []).map((record) => record.id));
}

/**
 * Prunes every record not in `before` that no build uses, one ID per request (the engine takes
 * one). A record that others still need is freed once they are: newest first, in passes while
 * a pass removes something.
 */
export async function pruneRecordsSince(before) {
  const endpoint = engineEndpoint();
  let bytes = 0;
  let records = 0;
  for (let pass = 0; pass < 5; pass++) {
    const made = ((await buildCacheRecords(endpoint)) ?? [])
      .filter((record) => !before.has(record.id) && !record.inUse)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    for (const record of made) bytes += await pruneBuildCacheRecord(endpoint, record.id);
    const still = new Set(((await buildCacheRecords(endpoint)) ?? []).map((record) => record.id));
    const removed = made.filter((record) => !still.has(record.id)).length;
    records += removed;
    if (removed === 0 || removed === made.length) break;
  }
  return { bytes, records };
}
