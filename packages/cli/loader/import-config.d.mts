/** Imports a module with Node's own loader (and the config hooks, once registered). */
export function importConfig(url: string): Promise<Record<string, unknown>>;
