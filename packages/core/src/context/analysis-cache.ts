import { readFileSync } from 'node:fs';
import { sha256Hex } from '../hashing/sha256.js';
import { BUTLER_VERSION } from '../image/labels.js';
import { moduleIdentity } from '../state/memory-keys.js';
import { stateFileFor, stateSubdir, writeStateFile } from '../state/state-dir.js';
import type { DockerfileAnalysis } from './dockerfile-analysis.js';
import { analyzeForBuilder, hostPlatform } from './platform-args.js';

type AnalysisOptions = Parameters<typeof analyzeForBuilder>[1];

/**
 * The analyser's identity: Butler's version and when this build of it was made, so a changed
 * analyser (an upgrade, or a developer's rebuild) never reads an older one's answers.
 */
const ANALYZER = ((build) => build && `${BUTLER_VERSION}:${build}`)(moduleIdentity(import.meta.url));

/**
 * `analyzeForBuilder`, remembered per Dockerfile in the state folder: the analysis is a pure
 * function of the Dockerfile's text, the build args, target, platform and builder (and this machine's
 * platform), all in the key — so a hit whose Dockerfile did not change neither parses it nor loads
 * the parser. One small file per Dockerfile path, replaced when the key changes.
 */
export async function analyzeRemembered(
  stateDir: string | undefined,
  dockerfilePath: string,
  text: string,
  options: AnalysisOptions,
): Promise<DockerfileAnalysis> {
  if (!stateDir || !ANALYZER) return analyzeForBuilder(text, options);
  const sortedArgs = Object.entries(options.buildArgs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = sha256Hex(
    JSON.stringify([
      ANALYZER,
      hostPlatform(),
      text,
      sortedArgs,
      options.target ?? null,
      options.platform ?? null,
      options.builder ?? null,
    ]),
  );
  const file = stateFileFor(stateDir, 'analysis-cache', dockerfilePath, '.json');
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key: string; analysis: DockerfileAnalysis };
    if (saved.key === key) return saved.analysis;
  } catch {
    // None yet, or a torn write: analyse.
  }
  const analysis = analyzeForBuilder(text, options);
  try {
    stateSubdir(stateDir, 'analysis-cache');
    writeStateFile(file, JSON.stringify({ key, analysis }));
  } catch {
    // A state folder that cannot be written costs the next run a parse, nothing else.
  }
  return analysis;
}
