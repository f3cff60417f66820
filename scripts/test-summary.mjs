// Adds up the vitest JSON reports every package wrote and prints "N passed, N failed".
// A package whose test script exists but left no report counts as one failure: it crashed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
const missing = [];
for (const folder of ['packages', 'examples']) {
  if (!existsSync(folder)) continue;
  for (const name of readdirSync(folder)) {
    const dir = join(folder, name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    const report = join(dir, 'test-results.json');
    if (!existsSync(report)) {
      missing.push(dir);
      failed += 1;
      continue;
    }
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    if (result.numTotalTests === 0) missing.push(`${dir} (ran no test)`);
  }
}
if (missing.length > 0) console.error(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
