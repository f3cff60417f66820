import { type EngineEndpoint, engineError, engineRequest, inspectImage } from './engine-api.js';
import { listServices } from './engine-swarm.js';

/**
 * Image ID → what uses it on this engine: the names of its containers, running or stopped, and
 * on a swarm manager every service whose spec names it — the current spec and the previous one
 * (what Swarm rolls back to), even where no task of it runs on this node. An image with a user
 * is never removed by retention.
 */
export async function imageUsers(endpoint: EngineEndpoint): Promise<Map<string, string[]>> {
  const [listed, services] = await Promise.all([
    engineRequest(endpoint, 'GET', '/containers/json?all=1'),
    listServices(endpoint),
  ]);
  if (listed.status !== 200) throw engineError(listed.status, listed.body);
  const users = new Map<string, string[]>();
  const add = (id: string, user: string) => users.set(id, [...(users.get(id) ?? []), user]);
  for (const c of listed.body as { Names: string[]; ImageID: string }[]) {
    add(c.ImageID, c.Names[0]?.replace(/^\//, '') ?? '?');
  }
  for (const service of services) {
    const specs = [
      [service.spec, `service ${service.spec.Name}`],
      [service.previousSpec, `service ${service.spec.Name} (previous)`],
    ] as const;
    for (const [spec, user] of specs) {
      const image = spec?.TaskTemplate.ContainerSpec.Image;
      if (!image) continue;
      // Specs name images by digest: the local image that digest points to is the one kept.
      const found = await inspectImage(endpoint, image).catch(() => undefined);
      if (found) add(found.Id, user);
    }
  }
  return users;
}
