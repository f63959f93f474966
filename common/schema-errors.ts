/**
 * Turns schema-library issues into messages a person can act on: the field
 * path, what was expected, and what was found. Shared by every user-written
 * file (job spec, agent config).
 */
import { z } from 'zod';
import { ConfigError } from './errors';

export interface FieldProblem {
  path: string;
  expected: string;
  found: string;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known key closest to a misspelled one, if it is close enough to be a likely typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function knownKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    node = childSchema(node, key);
    if (!node) return [];
  }
  const shape = objectShape(node);
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema as z.ZodType & { unwrap?: () => z.ZodType; def: { innerType?: z.ZodType; type: string } };
  while (node.def.innerType) node = node.def.innerType as typeof node;
  return node;
}

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  if (!schema) return undefined;
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

function childSchema(schema: z.ZodType | undefined, key: PropertyKey): z.ZodType | undefined {
  if (!schema) return undefined;
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return (inner.shape as Record<string, z.ZodType>)[String(key)];
  if (inner instanceof z.ZodArray) return inner.element as z.ZodType;
  // Keyed records (requesters, datasets): every key has the same value schema.
  if (inner instanceof z.ZodRecord) return inner.valueType as z.ZodType;
  return undefined;
}

export function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') || '(top level)';
}

/**
 * The "what was expected" part of a zod message, without zod's own category
 * prefix ("Invalid input:", "Too small:") or its "received …" tail, since the
 * caller states what was found from the input itself.
 */
function expectation(message: string): string {
  return message
    .replace(/^[A-Z][A-Za-z ]*:\s*/, '')
    .replace(/, received .*$/, '')
    .replace(/^expected\s+/i, '');
}

/** One FieldProblem per issue; unknown keys each become their own problem with a spelling hint. */
export function describeIssues(schema: z.ZodType, input: unknown, issues: z.core.$ZodIssue[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const hint = closestKey(key, known);
        problems.push({
          path: formatPath([...issue.path, key]),
          expected: hint ? `no such field (did you mean "${hint}"?)` : `one of the known fields: ${known.join(', ')}`,
          found: `unknown field "${key}"`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A discriminated union reports one branch per alternative; the message already says which discriminator values exist.
      problems.push({ path: formatPath(issue.path), expected: expectation(issue.message) || 'one of the documented variants', found: describeValue(valueAt(input, issue.path)) });
      continue;
    }
    problems.push({ path: formatPath(issue.path), expected: expectation(issue.message), found: describeValue(valueAt(input, issue.path)) });
  }
  return problems;
}

/** Validates `input` against `schema`; throws a ConfigError listing every problem with its field path. */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw problemsError(what, describeIssues(schema, input, result.error.issues));
}

/** One ConfigError listing every problem, one per line, with the structured list in its details. */
export function problemsError(what: string, problems: FieldProblem[]): ConfigError {
  const lines = problems.map((p) => `  - ${p.path}: expected ${p.expected}; found ${p.found}`);
  return new ConfigError(`${what} is invalid:\n${lines.join('\n')}`, { problems });
}
