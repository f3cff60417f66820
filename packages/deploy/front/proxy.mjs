// The front of a deployment: owns the published ports and forwards each new connection to the
// container that holds the deployment's name on the network right now. Butler swaps containers by
// renaming them; the network's DNS follows the rename, so connections opened after the swap reach
// the new container while those already open finish on the old one. Between the two renames the
// name resolves to nothing: the container then called "<name>-old" (the one that served until
// now) takes the connection. That also keeps the app answering when Butler dies mid-swap.
//
// A volume handover (the old container must stop before the new one may start on its data) is a
// pause: Butler sends SIGUSR2 first, and from then on new connections are held here — not sent to
// the container about to stop — until SIGUSR1 says the new one holds the name. Once the
// connections already forwarded have all closed, the front logs "front: drained", which Butler
// waits for before it stops the old container. Butler renews the hold (SIGUSR2 again) every second;
// without a renewal it ends by itself after 3 s, so a Butler killed mid-handover leaves at most a
// short wait, not a front that holds forever.
//
// A connection no container takes within BUTLER_PATIENCE_MS is answered, when it is HTTP, with a
// 503 and Retry-After — never closed without a word — and otherwise closed.
// Bounded: a connect attempt, an idle connection and the number of connections all have limits.
import { Resolver } from 'node:dns/promises';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// `proxy.mjs --probe HOST PORT [PATH]`: Butler asks, through `docker exec` in this container, whether
// a candidate on the deployment's network answers — the way to look at it when the engine is on
// another machine. Exit 0: it accepts a connection (or answers PATH with 2xx/3xx); it prints what it saw.
if (process.argv[2] === '--probe') {
  const [host, port, path] = process.argv.slice(3);
  const done = (ok, said) => {
    console.log(said);
    process.exit(ok ? 0 : 1);
  };
  if (path) {
    const { get } = await import('node:http');
    const req = get({ host, port: Number(port), path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(status >= 200 && status < 400, String(status));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (error) => done(false, error.code ?? error.message));
  } else {
    const socket = connect({ host, port: Number(port), timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      done(true, 'accepted');
    });
    socket.once('error', (error) => done(false, error.code ?? error.message));
    socket.once('timeout', () => done(false, 'timeout'));
  }
} else {
  await serve();
}

async function serve() {
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

  /** A handover in progress: new connections wait for `release`. */
  let hold;
  /** Connections forwarded and still open. */
  let forwarding = 0;

  const HOLD_UNRENEWED_MS = Math.min(patienceMs, 3000);

  function startHold() {
    if (hold) {
      // A renewal: Butler is still at work.
      hold.timer.refresh();
      return;
    }
    let release;
    const released = new Promise((resolve) => {
      release = resolve;
    });
    hold = { released, release, timer: setTimeout(endHold, HOLD_UNRENEWED_MS) };
    console.log('front: holding');
    if (forwarding === 0) console.log('front: drained');
  }

  function endHold() {
    if (!hold) return;
    clearTimeout(hold.timer);
    hold.release();
    hold = undefined;
    console.log('front: released');
  }

  process.on('SIGUSR2', startHold);
  process.on('SIGUSR1', endHold);

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

  async function upstreamFor(port, client, deadline) {
    for (let delay = 10; !client.destroyed; delay = Math.min(delay * 2, 50)) {
      if (hold) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await Promise.race([hold.released, sleep(left)]);
        continue;
      }
      for (const address of await addresses()) {
        const upstream = await open(address, port).catch(() => undefined);
        if (upstream) return upstream;
      }
      if (Date.now() > deadline) return undefined;
      await sleep(delay);
    }
    return undefined;
  }

  const HTTP_REQUEST = /^[A-Z]{3,10} \S+ HTTP\/1\.[01]\r?\n/;

  /** Tells a client nobody could take its connection: a 503 when it speaks HTTP, else a close. */
  function refuse(client, port) {
    console.error(`front: no container "${target}" accepts on port ${port}`);
    // Nothing was read yet (the socket was paused on connect): read the request's first bytes now.
    const timer = setTimeout(() => client.destroy(), 1000);
    client.once('data', (head) => {
      clearTimeout(timer);
      if (!HTTP_REQUEST.test(head.toString('latin1', 0, Math.min(head.length, 512)))) return client.destroy();
      const body = `No container of ${target} took the connection within ${Math.round(patienceMs / 1000)} s; try again.\n`;
      client.end(
        `HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    client.resume();
  }

  for (const port of ports) {
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
      client.on('error', () => client.destroy());
      client.setTimeout(idleTimeoutMs, () => client.destroy());
      upstreamFor(port, client, Date.now() + patienceMs).then((upstream) => {
        if (!upstream) {
          if (!client.destroyed) refuse(client, port);
          return;
        }
        // A client that left while its upstream was being found: nothing to forward.
        if (client.destroyed) return upstream.destroy();
        forwarding++;
        let counted = true;
        const closed = () => {
          if (!counted) return;
          counted = false;
          forwarding--;
          if (hold && forwarding === 0) console.log('front: drained');
        };
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => {
          closed();
          client.destroy();
        });
        client.on('close', () => {
          closed();
          upstream.destroy();
        });
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    });
    server.maxConnections = maxConnections;
    server.listen(port, '0.0.0.0');
  }
  console.log(`front: forwarding ${ports.join(', ')} to ${target}`);
  process.on('SIGTERM', () => process.exit(0));
}
