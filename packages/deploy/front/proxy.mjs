// The front of a deployment: owns the published ports and forwards each new connection to the
// container that holds the deployment's name on the network right now. Butler swaps containers by
// renaming them; the network's DNS follows the rename, so connections opened after the swap reach
// the new container while those already open finish on the old one. Between the two renames the
// name resolves to nothing: the container then called "<name>-old" (the one that served until
// now) takes the connection. That also keeps the app answering when Butler dies mid-swap.
// Bounded: a connect attempt, an idle connection and the number of connections all have limits.
import { Resolver } from 'node:dns/promises';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const target = process.env.BUTLER_TARGET;
const ports = (process.env.BUTLER_PORTS ?? '').split(',').filter(Boolean).map(Number);
const patienceMs = Number(process.env.BUTLER_PATIENCE_MS ?? 15000);
const connectTimeoutMs = Number(process.env.BUTLER_CONNECT_TIMEOUT_MS ?? 3000);
const idleTimeoutMs = Number(process.env.BUTLER_IDLE_TIMEOUT_MS ?? 600000);
const maxConnections = Number(process.env.BUTLER_MAX_CONNECTIONS ?? 4096);
if (!target || ports.length === 0) {
  console.error('front: BUTLER_TARGET and BUTLER_PORTS are required');
  process.exit(2);
}

const resolver = new Resolver({ timeout: 1000, tries: 2 });

function open(address, port) {
  return new Promise((resolve, reject) => {
    const upstream = connect({ host: address, port, allowHalfOpen: true });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), connectTimeoutMs);
    upstream.once('connect', () => {
      clearTimeout(timer);
      resolve(upstream);
    });
    upstream.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The serving container's addresses: the deployment's name, else the one being replaced. */
async function addresses() {
  for (const name of [target, `${target}-old`]) {
    const found = await resolver.resolve4(name).catch(() => []);
    if (found.length > 0) return found;
  }
  return [];
}

async function upstreamFor(port, client) {
  const deadline = Date.now() + patienceMs;
  for (let delay = 10; !client.destroyed; delay = Math.min(delay * 2, 250)) {
    for (const address of await addresses()) {
      const upstream = await open(address, port).catch(() => undefined);
      if (upstream) return upstream;
    }
    if (Date.now() > deadline) throw new Error(`no container "${target}" accepts on port ${port}`);
    await sleep(delay);
  }
  throw new Error('the client went away');
}

for (const port of ports) {
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    client.on('error', () => client.destroy());
    client.setTimeout(idleTimeoutMs, () => client.destroy());
    upstreamFor(port, client).then(
      (upstream) => {
        // A client that left while its upstream was being found: nothing to forward.
        if (client.destroyed) return upstream.destroy();
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      },
      (error) => {
        if (!client.destroyed) console.error(`front: ${error.message}`);
        client.destroy();
      },
    );
  });
  server.maxConnections = maxConnections;
  server.listen(port, '0.0.0.0');
}
console.log(`front: forwarding ${ports.join(', ')} to ${target}`);
process.on('SIGTERM', () => process.exit(0));
