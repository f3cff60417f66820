import type { Butler } from './butler.js';

/** A plugin is a named thing that taps Butler's hooks. Factories (`npm()`, `dockerode()`) return one. */
export interface ButlerPlugin {
  /** `butler:npm` for built-ins; anything unique for third-party plugins. */
  name: string;
  apply(butler: Butler): void;
}

/** Plugin lists accept falsy entries and nested arrays: `[ci && retention({ keep: 10 }), ...extra]`. */
export type PluginOption = ButlerPlugin | false | null | undefined | PluginOption[];

/** Flattens a plugin list and drops falsy entries. */
export function flattenPlugins(plugins: readonly PluginOption[]): ButlerPlugin[] {
  const flat: ButlerPlugin[] = [];
  for (const entry of plugins) {
    if (Array.isArray(entry)) flat.push(...flattenPlugins(entry));
    else if (entry) flat.push(entry);
  }
  return flat;
}
