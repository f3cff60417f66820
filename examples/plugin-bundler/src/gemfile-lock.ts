/** A gem as Gemfile.lock resolves it. */
export interface LockedGem {
  name: string;
  version: string;
  direct: boolean;
}

/**
 * Parses Gemfile.lock: the `specs:` of the GEM, GIT and PATH sections (four-space indent:
 * `name (version[-platform])`) and the DEPENDENCIES section (two-space indent) that names the
 * direct ones. PATH gems live in the repository, so they are left out.
 */
export function parseGemfileLock(text: string): LockedGem[] {
  const specs = new Map<string, string>();
  const direct = new Set<string>();
  let section = '';
  let inSpecs = false;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    if (/^\S/.test(line)) {
      section = line.trim();
      inSpecs = false;
      return;
    }
    // Section attributes: `remote: …`, `revision: …`, `branch: …`, and `specs:` that opens the gems.
    const attribute = /^\s+([a-z_]+):(\s.*)?$/.exec(line);
    if (attribute) {
      inSpecs = attribute[1] === 'specs';
      return;
    }
    const entry = /^(\s+)([^\s(!]+)!?(?: \(([^)]*)\))?$/.exec(line);
    if (!entry) throw Object.assign(new Error(`unexpected line "${line.trim()}"`), { line: index + 1 });
    const indent = (entry[1] as string).length;
    const name = entry[2] as string;
    if (inSpecs && indent === 4 && section !== 'PATH') {
      if (!entry[3]) throw Object.assign(new Error(`gem "${name}" has no version`), { line: index + 1 });
      specs.set(name, (entry[3] as string).replace(/-(x86|x64|arm|aarch|universal|java).*$/, ''));
    } else if (section === 'DEPENDENCIES' && indent === 2) {
      direct.add(name);
    }
  });
  return [...specs].map(([name, version]) => ({ name, version, direct: direct.has(name) }));
}

/** Gems a Gemfile declares: `gem "name", "~> 1.0"` calls, read line by line (the Gemfile is Ruby). */
export function declaredGems(text: string): Map<string, string> {
  const gems = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const call = /^\s*gem\s+["']([^"']+)["']((?:\s*,\s*["'][^"']*["'])*)/.exec(line);
    if (!call) continue;
    const requirements = [...(call[2] ?? '').matchAll(/["']([^"']*)["']/g)].map((m) => m[1]);
    gems.set(call[1] as string, requirements.join(', ') || '*');
  }
  return gems;
}
