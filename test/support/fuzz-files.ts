/**
 * Mutated user-written files (job specs, agent configs, policies) and
 * trainer outputs, for the fuzz suite. A mutation either sets a known field
 * to a value of the wrong kind (which must be refused, naming the field) or
 * damages the text (truncation, flipped bytes, broken YAML), which must be
 * refused with a coded error or, when the damage happens to leave a valid
 * document, accepted. Seeded: the same seed gives the same cases.
 */
import { stringify } from 'yaml';
import type { Rng } from '../../common/random';

export interface FileCase {
  target: 'job-spec' | 'agent-config' | 'policy' | 'trainer-output';
  kind: string;
  /** The file's text (YAML or JSON). */
  text: string;
  /** Set for wrong-type cases: the document must be refused, and the message must name this field. */
  mustRefuseNaming?: string;
}

/** Values no field of these schemas accepts in place of an object, array, number or string of the right kind. */
function hostileValue(rng: Rng, original: unknown): unknown {
  const deep = (depth: number): unknown => (depth === 0 ? 'x' : { nest: deep(depth - 1) });
  const choices: unknown[] = [
    typeof original === 'string' ? 12345 : 'not-a-value',
    typeof original === 'number' ? '1e999' : 1e308 * 10, // Infinity once parsed
    -1e300,
    typeof original === 'boolean' ? 'yes please' : true,
    Array.isArray(original) ? { notAList: true } : [1, [2, [3]]],
    typeof original === 'object' && original !== null && !Array.isArray(original) ? 'an object was expected' : { unexpected: { object: 1 } },
    deep(200),
    'x'.repeat(100_000),
    Number.MAX_SAFE_INTEGER * 1024,
  ];
  for (;;) {
    const value = choices[Math.floor(rng() * choices.length)];
    // Only a value that cannot be right for the original's kind: same-kind values might be valid.
    if (typeof value !== typeof original || (typeof value === 'number' && !Number.isFinite(value as number)) || (Array.isArray(value) !== Array.isArray(original))) return value;
    if (typeof value === 'object' && typeof original === 'object' && original !== null && !Array.isArray(original) && Array.isArray(value)) return value;
  }
}

/** Every path to a leaf or container in `document`, as key lists. */
function paths(document: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (typeof document !== 'object' || document === null) return out;
  for (const [key, value] of Object.entries(document)) {
    const path = [...prefix, Array.isArray(document) ? Number(key) : key];
    out.push(path);
    paths(value, path, out);
  }
  return out;
}

function getAt(document: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], document);
}

function setAt(document: unknown, path: Array<string | number>, value: unknown): void {
  const parent = getAt(document, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value;
}

/** Text-level damage that any YAML or JSON file may suffer. */
function damagedText(rng: Rng, text: string): { kind: string; text: string } {
  const which = Math.floor(rng() * 6);
  switch (which) {
    case 0:
      return { kind: 'truncated', text: text.slice(0, Math.floor(rng() * text.length)) };
    case 1: {
      const bytes = Buffer.from(text, 'utf8');
      for (let i = 0; i < 1 + Math.floor(rng() * 6); i++) bytes[Math.floor(rng() * bytes.length)] = Math.floor(rng() * 256);
      return { kind: 'flipped-bytes', text: bytes.toString('utf8') };
    }
    case 2:
      return { kind: 'broken-yaml', text: `${text}\n  - : [unclosed {\n\t\tkey: "` };
    case 3:
      return { kind: 'wrong-top-level', text: ['[]', '42', '"just a string"', 'null', '~', '- a\n- b'][Math.floor(rng() * 6)] };
    case 4:
      return { kind: 'deep-nesting', text: `${'['.repeat(5000)}${']'.repeat(5000)}` };
    default:
      return { kind: 'anchors', text: `a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n` };
  }
}

/** `count` mutations of `document`: half with one field of the wrong kind, half with damaged text. */
export function mutatedDocuments(rng: Rng, target: FileCase['target'], document: Record<string, unknown>, count: number, asJson = false): FileCase[] {
  const all = paths(document);
  const write = (doc: unknown): string => (asJson ? JSON.stringify(doc) : stringify(doc, { aliasDuplicateObjects: false }));
  const cases: FileCase[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0 && all.length > 0) {
      const path = all[Math.floor(rng() * all.length)];
      const copy = structuredClone(document);
      setAt(copy, path, hostileValue(rng, getAt(copy, path)));
      const field = path.filter((key) => typeof key === 'string').at(-1) as string | undefined;
      cases.push({ target, kind: 'wrong-type', text: write(copy), mustRefuseNaming: field });
    } else {
      const damaged = damagedText(rng, write(document));
      cases.push({ target, ...damaged });
    }
  }
  return cases;
}
