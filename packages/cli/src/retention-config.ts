import type { ButlerConfig } from './config.js';

/**
 * The config's retention with each image's own keep count (`images[].retention.keep`) as a
 * per-repository rule: the cleanup after a build and `butler gc` apply the same rules.
 */
export function retentionWithImages(config: ButlerConfig): ButlerConfig['retention'] {
  const own = (config.images ?? []).filter((image) => image.retention?.keep !== undefined);
  if (own.length === 0) return config.retention;
  return {
    ...config.retention,
    repos: {
      ...config.retention?.repos,
      ...Object.fromEntries(own.map((image) => [image.name, { keep: image.retention?.keep }])),
    },
  };
}
