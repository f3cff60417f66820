import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A dependency as a POM declares it (version and scope may be missing). */
export interface PomDependency {
  groupId: string;
  artifactId: string;
  version?: string;
  scope?: string;
  type?: string;
}

/** The parts of a POM that decide which artifacts a build pulls in. */
export interface Pom {
  groupId?: string;
  artifactId: string;
  version?: string;
  parent?: PomDependency & { relativePath?: string };
  properties: Record<string, string>;
  dependencies: PomDependency[];
  managed: PomDependency[];
  modules: string[];
}

const ARRAYS = new Set([
  'project.dependencies.dependency',
  'project.dependencyManagement.dependencies.dependency',
  'project.modules.module',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Versions stay strings: "1.10" must not become the number 1.1.
  parseTagValue: false,
  isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
});

type Node = Record<string, unknown>;

/** Parses pom.xml; a malformed document throws with its line. */
export function parsePom(text: string): Pom {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const unclosed = /^Invalid '\[.*\]' found/.test(valid.err.msg);
    // Unclosed elements are reported at line 1; the document really ends too early, on its last line.
    const line = unclosed ? text.trimEnd().split('\n').length : valid.err.line;
    throw Object.assign(
      new Error(unclosed ? 'the document ends before its elements are closed' : valid.err.msg),
      {
        line,
      },
    );
  }
  const project = ((parser.parse(text) as Node).project ?? {}) as Node;
  const text_ = (value: unknown): string | undefined =>
    typeof value === 'string' ? value.trim() : undefined;
  const dependency = (node: unknown): PomDependency => {
    const d = (node ?? {}) as Node;
    return {
      groupId: text_(d.groupId) ?? '',
      artifactId: text_(d.artifactId) ?? '',
      ...optional('version', text_(d.version)),
      ...optional('scope', text_(d.scope)),
      ...optional('type', text_(d.type)),
    };
  };
  const parentNode = project.parent as Node | undefined;
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries((project.properties ?? {}) as Node)) {
    if (typeof value === 'string') properties[key] = value.trim();
  }
  const management = ((project.dependencyManagement as Node | undefined)?.dependencies ?? {}) as Node;
  return {
    ...optional('groupId', text_(project.groupId)),
    artifactId: text_(project.artifactId) ?? '',
    ...optional('version', text_(project.version)),
    ...(parentNode
      ? { parent: { ...dependency(parentNode), ...optional('relativePath', text_(parentNode.relativePath)) } }
      : {}),
    properties,
    dependencies: ((((project.dependencies ?? {}) as Node).dependency ?? []) as unknown[]).map(dependency),
    managed: ((management.dependency ?? []) as unknown[]).map(dependency),
    modules: ((((project.modules ?? {}) as Node).module ?? []) as unknown[]).flatMap((m) => text_(m) ?? []),
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
