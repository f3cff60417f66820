import { dockerfileParser } from './dockerfile-parser.js';

/**
 * The Dockerfile with one `LABEL` instruction carrying every label, placed at the end of the stage
 * being built. The classic builder turns each `labels` build option into a step of its own that
 * commits a container (about 0.2 s each); one instruction costs one step. Returns undefined when the
 * text cannot take it safely (a trailing line continuation, an unknown target, a multi-line value):
 * the caller then passes the labels as build options.
 */
export function withLabelInstruction(
  text: string,
  labels: Readonly<Record<string, string>>,
  target?: string,
): string | undefined {
  const entries = Object.entries(labels);
  if (entries.length === 0) return text;
  if (entries.some(([key, value]) => /[\r\n]/.test(key + value))) return undefined;
  const dockerfile = dockerfileParser().parse(text);
  const escapeChar = dockerfile.getEscapeCharacter();
  const froms = dockerfile.getFROMs();
  if (froms.length === 0 || text.trimEnd().endsWith(escapeChar)) return undefined;
  const stage = target
    ? froms.findIndex((from) => from.getBuildStage()?.toLowerCase() === target.toLowerCase())
    : froms.length - 1;
  if (stage < 0) return undefined;
  const quote = (word: string) =>
    `"${word.replace(/[\\"$`]/g, (ch) => (ch === escapeChar || ch === '"' || ch === '$' ? `${escapeChar}${ch}` : ch))}"`;
  const instruction = `LABEL ${entries.map(([key, value]) => `${quote(key)}=${quote(value)}`).join(' ')}`;
  const next = froms[stage + 1];
  if (!next) return `${text}${text.endsWith('\n') ? '' : '\n'}${instruction}\n`;
  const lines = text.split('\n');
  lines.splice(next.getRange().start.line, 0, instruction);
  return lines.join('\n');
}
