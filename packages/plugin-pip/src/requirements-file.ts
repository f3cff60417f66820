import { fromUrl, normalizeName, parseRequirement, type Requirement } from './requirement.js';

/** What one requirements file says: its requirements and the files it includes. */
export interface RequirementsFile {
  requirements: Requirement[];
  /** `-r` targets, relative to the including file: their requirements are installed too. */
  includes: string[];
  /** `-c` targets: they pin versions of what is installed, and install nothing themselves. */
  constraints: string[];
}

// Options that take a value and say nothing about which versions are installed.
const VALUE_OPTIONS =
  /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary)\b/;

/** Parses a pip requirements file: continuations, comments, `-r`/`-c` includes, `-e`, `--hash`. */
export function parseRequirementsFile(text: string): RequirementsFile {
  const requirements: Requirement[] = [];
  const includes: string[] = [];
  const constraints: string[] = [];
  for (const raw of logicalLines(text)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const include = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)$/.exec(line);
    if (include) {
      (include[1]?.startsWith('-c') || include[1] === '--constraint' ? constraints : includes).push(
        include[2] as string,
      );
      continue;
    }
    const editable = /^(-e|--editable)(?:\s*=\s*|\s+)(\S+)$/.exec(line);
    const url = /^((git|hg|svn|bzr)\+|https?:\/\/)\S+$/.exec(line);
    if (editable || url) {
      const target = editable ? (editable[2] as string) : line;
      const egg = /#egg=([^&\s]+)/.exec(target)?.[1];
      if (egg) requirements.push(fromUrl(normalizeName(egg), target));
      continue; // a local folder is part of the context, hashed as files
    }
    if (VALUE_OPTIONS.test(line) || /^--?[a-z-]+$/.test(line)) continue;
    const [requirementText, ...options] = line.split(/\s+--/);
    const requirement = parseRequirement(requirementText as string);
    // pip refuses to install a hashed requirement at any other version: it is pinned.
    const hashed = options.some((option) => option.startsWith('hash'));
    requirements.push(hashed ? { name: requirement.name, version: requirement.version } : requirement);
  }
  return { requirements, includes, constraints };
}

function logicalLines(text: string): string[] {
  return text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
}
