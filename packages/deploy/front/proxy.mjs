// The front of a deployment: owns the published ports and forwards each new connection to the
// container that holds the deployment's name on the network right now. Butler swaps containers by
// renaming them; the network's DNS follows the rename, so connections opened after the swap reach
// the new container while those already open finish on the old one. Between the two renames the
// name resolves to nothing for a moment: a connection waits and retries instead of failing.
import { Resolver } from 'node:dns/promises';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const target = process.env.BUTLER_TARGET;
const ports = (process.env.BUTLER_PORTS ?? '').split(',').filter(Boolean).map(Number);
const patienceMs = Number(process.env.BUTLER_PATIENCE_MS ?? 15000);
if (!target || ports.length === 0) {
  console.error('front: BUTLER_TARGET and BUTLER_PORTS are required');
  process.exit(2);
}

const resolver = new Resolver();

function open(address, port) {
  return new Promise((resolve, reject) => {
    const upstream = connect({ host: address, port, allowHalfOpen: true });
    upstream.once('connect', () => resolve(upstream));
    upstream.once('error', reject);
  });
}

async function upstreamFor(port) {
  const deadline = Date.now() + patienceMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    const addresses = await resolver.resolve4(target).catch(() => []);
    for (const address of addresses) {
      const upstream = await open(address, port).catch(() => undefined);
      if (upstream) return upstream;
    }
    if (Date.now() > deadline) throw new Error(`no container "${target}" accepts on port ${port}`);
    await sleep(delay);
  }
}

for (const port of ports) {
  createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    client.on('error', () => client.destroy());
    upstreamFor(port).then(
      (upstream) => {
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      },
      (error) => {
        console.error(`front: ${error.message}`);
        client.destroy();
      },
    );
  }).listen(port, '0.0.0.0');
}
console.log(`front: forwarding ${ports.join(', ')} to ${target}`);
process.on('SIGTERM', () => process.exit(0));
