import { get } from 'node:http';

/** One GET of `/` on 127.0.0.1:`port`, on a fresh connection (as a probe or `curl` in a loop asks); rejects on non-200. */
export function httpGet(port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
