import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateRetention } from '@devops-butler/plugin-retention';
import { z } from 'zod/mini';

const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

const text = z.optional(z.string());
const buildArgs = z.optional(z.record(z.string(), z.string()));
// Retention has its own validator (shared with `butler gc`); the schema only requires an object.
const retention = z.optional(z.record(z.string(), z.unknown()));
const secrets = z.optional(
  z.record(
    z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a secret id: letters, digits, . _ -' })),
    z.union([z.strictObject({ file: z.string() }), z.strictObject({ env: z.string() })]),
  ),
);

const image = z.strictObject({
  name: z
    .string()
    .check(z.regex(REPO, { error: 'must be a repository name: lowercase letters, digits, . _ - /' })),
  context: z.string(),
  dockerfile: text,
  target: text,
  platform: text,
  buildArgs,
  secrets,
  // Per image only the keep count: the rest of retention is the config's.
  retention: z.optional(z.strictObject({ keep: z.optional(z.int().check(z.minimum(0))) })),
});

/** The config file's shape; the types users write against are in config.ts. */
export const configSchema = z.strictObject({
  registry: text,
  remoteCache: z.optional(z.union([z.boolean(), z.enum(['pull', 'push'])])),
  requirePush: z.optional(z.boolean()),
  repo: z.optional(
    z
      .string()
      .check(z.regex(REPO, { error: 'must be a repository name: lowercase letters, digits, . _ - /' })),
  ),
  dockerfile: text,
  buildArgs,
  target: text,
  platform: text,
  backend: z.optional(z.enum(['dockerode', 'docker-cli'])),
  builder: z.optional(z.enum(['buildkit', 'classic'])),
  secrets,
  plugins: z.optional(z.array(z.unknown())),
  replaceDefaultPlugins: z.optional(z.boolean()),
  retention,
  images: z.optional(z.array(image)),
  concurrency: z.optional(z.int().check(z.minimum(1))),
  deploy: z.optional(
    z.strictObject({
      swarm: z.optional(z.boolean()),
      replicas: z.optional(z.int().check(z.minimum(0))),
      healthCmd: z.optional(z.string().check(z.minLength(1))),
      publishMode: z.optional(z.enum(['ingress', 'host'])),
      hosts: z.optional(
        z.array(
          z.union([
            z.string().check(z.minLength(1)),
            z.strictObject({ host: z.string().check(z.minLength(1)), address: z.optional(z.string()) }),
          ]),
        ),
      ),
    }),
  ),
});

/**
 * Every problem at once, each with its path (`images[1].context: not a folder`): the schema's,
 * retention's own rules, and what only the file system can tell (context folders).
 */
export function configProblems(config: unknown, configDir: string): string[] {
  const parsed = configSchema.safeParse(config);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap(describeIssue);
  if (typeof config !== 'object' || config === null) return problems;
  const c = config as { retention?: unknown; images?: unknown };
  problems.push(...validateRetention(c.retention));
  if (Array.isArray(c.images)) {
    const names = new Set<string>();
    c.images.forEach((entry: unknown, index) => {
      const { name, context } = (entry ?? {}) as Record<string, unknown>;
      if (typeof name === 'string') {
        if (names.has(name)) problems.push(`images[${index}].name: "${name}" is used twice`);
        names.add(name);
      }
      if (typeof context === 'string' && !isFolder(resolve(configDir, context))) {
        problems.push(`images[${index}].context: not a folder (${resolve(configDir, context)})`);
      }
    });
  }
  return [...new Set(problems)];
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
    case 'invalid_type':
      return [`${where}: must be ${article(issue.expected)}`];
    case 'invalid_value':
      return [`${where}: must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`];
    case 'too_small':
      return [`${where}: must be at least ${String(issue.minimum)}`];
    default:
      return [`${where}: ${issue.message}`];
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (text, key) =>
        typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
      '',
    ) || 'the config'
  );
}

function article(type: string): string {
  if (type === 'record' || type === 'object') return 'an object';
  if (type === 'array') return 'a list';
  if (type === 'int') return 'a whole number';
  return `a ${type}`;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
