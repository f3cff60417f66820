import type { BuildResult, ButlerEvent } from '@devops-butler/core';
import type { CliIo } from './io.js';

/** Progress lines as the product was specified (DESIGN.md section 1). */
export function createReporter(io: CliIo): (event: ButlerEvent) => void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  return (event) => {
    switch (event.type) {
      case 'hashing':
        return out('🔍 Calculating build context hash...');
      case 'target':
        out(`📦 Target image: ${event.target.reference}`);
        if (event.wholeContext)
          out('   (the whole context is hashed: the Dockerfile could not be narrowed down)');
        return;
      case 'lookup':
        return out('🔍 Checking for existing images...');
      case 'reuse':
        out(`♻️ Reusing existing image: ${event.reference}`);
        return out('⚡ Build skipped - using cached image!');
      case 'build-start':
        return out(
          event.forced
            ? '🔨 Forced rebuild, building new image...'
            : '🔨 No suitable existing image found, building new image...',
        );
      case 'build-output':
        return out(`   ${event.line}`);
      case 'warning':
        return io.stderr.write(`⚠️ ${event.message}\n`);
    }
  };
}

export function printBuildResult(result: BuildResult, io: CliIo): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  if (result.outcome !== 'reused') {
    out('✅ Docker build completed successfully!');
    out(`   Image ID: ${result.image.id}`);
    out(`   Size: ${formatBytes(result.image.size)}`);
    out(`   Created: ${result.image.created}`);
  }
  out(
    `🏷️ Tagged ${result.target.reference} and ${result.target.latest} (${(result.durationMs / 1000).toFixed(2)}s)`,
  );
  for (const note of result.notes) out(`   note: ${note}`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
