import { arch } from 'node:os';
import type { Builder } from '../kernel/types.js';
import { analyzeDockerfile, type DockerfileAnalysis } from './dockerfile-analysis.js';

/** The ARGs BuildKit sets by itself from the target and build platforms; the classic builder does not. */
export const PLATFORM_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
] as const;

const NODE_TO_DOCKER_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

/** This machine's platform as Docker names it (`linux/amd64`): the engine's, for a local engine. */
export function hostPlatform(): string {
  const name = NODE_TO_DOCKER_ARCH[arch()] ?? arch();
  return name === 'arm' ? 'linux/arm/v7' : `linux/${name}`;
}

/** The values BuildKit gives the platform ARGs when it builds for `target` on `build`. */
export function platformArgValues(target: string, build = hostPlatform()): Record<string, string> {
  const [os = '', architecture = '', variant = ''] = target.split('/');
  const [buildOs = '', buildArch = '', buildVariant = ''] = build.split('/');
  return {
    TARGETPLATFORM: target,
    TARGETOS: os,
    TARGETARCH: architecture,
    TARGETVARIANT: variant,
    BUILDPLATFORM: build,
    BUILDOS: buildOs,
    BUILDARCH: buildArch,
    BUILDVARIANT: buildVariant,
  };
}

/**
 * Analyses a Dockerfile under the rules of the builder that builds it: BuildKit sets the platform
 * ARGs from `--platform` (else the engine's — this machine's, for a local engine), the classic
 * builder leaves them empty. When the builder is not known (an offline hash), both builders' rules
 * apply and what either would read is kept: a little over-hashing costs a rebuild, a missed file a
 * stale image. Dockerfiles without platform ARGs are analysed once.
 */
export function analyzeForBuilder(
  text: string,
  options: {
    buildArgs?: Record<string, string> | undefined;
    target?: string | undefined;
    platform?: string | undefined;
    builder?: Builder | undefined;
  },
): DockerfileAnalysis {
  const analysis = analyzeForBuilderRules(text, options);
  // BuildKit runs the Dockerfile with the frontend its `# syntax=` line names: an input like a base
  // image (its identity enters the hash). The classic builder ignores the line.
  const frontend = options.builder === 'classic' ? undefined : syntaxFrontend(text);
  if (!frontend) return analysis;
  return {
    ...analysis,
    images: [...new Set([...analysis.images, frontend])].sort(),
    frontend,
  };
}

/**
 * The image a Dockerfile's `# syntax=` parser directive names, if any. Directives are the comment
 * lines at the very top, before any other comment, empty line or instruction (Docker's rule).
 */
export function syntaxFrontend(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const directive = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!directive) return undefined;
    if ((directive[1] as string).toLowerCase() === 'syntax') return directive[2] || undefined;
  }
  return undefined;
}

function analyzeForBuilderRules(
  text: string,
  options: Parameters<typeof analyzeForBuilder>[1],
): DockerfileAnalysis {
  const buildArgs = options.buildArgs ?? {};
  if (options.builder === 'buildkit') {
    const platform = options.platform ?? hostPlatform();
    return analyzeDockerfile(text, {
      buildArgs: { ...platformArgValues(platform), ...buildArgs },
      target: options.target,
    });
  }
  const classic = analyzeDockerfile(text, {
    buildArgs,
    target: options.target,
    emptyWhenUnset: new Set(PLATFORM_ARGS),
  });
  const used = PLATFORM_ARGS.filter(
    (name) => classic.declaredArgs.includes(name) && !Object.hasOwn(buildArgs, name),
  );
  if (used.length === 0 || options.builder === 'classic') return classic;
  const platform = options.platform ?? hostPlatform();
  const buildkit = analyzeDockerfile(text, {
    buildArgs: { ...platformArgValues(platform), ...buildArgs },
    target: options.target,
  });
  const key = (s: { path: string; line: number }) => `${s.line}\0${s.path}`;
  const sources = new Map([...classic.sources, ...buildkit.sources].map((s) => [key(s), s]));
  const differs = buildkit.sources.some((s) => !classic.sources.some((c) => key(c) === key(s)));
  return {
    sources: [...sources.values()],
    images: [...new Set([...classic.images, ...buildkit.images])].sort(),
    uncertain: [...new Set([...classic.uncertain, ...buildkit.uncertain])],
    notes: [
      ...new Set([...classic.notes, ...buildkit.notes]),
      ...(differs
        ? [
            `${used.join(', ')}: BuildKit sets ${used.length === 1 ? 'it' : 'them'} (for ${platform}), the classic builder does not; the files either would copy are hashed`,
          ]
        : []),
    ],
    declaredArgs: classic.declaredArgs,
  };
}
