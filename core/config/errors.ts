// What a refused config says: every problem as "field.path: message", and for an unknown field the fields known
// there and the nearest spelling, so a typo is fixed without opening the docs.
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`invalid dgmon config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Zod's issues as "field.path: message" lines, one a problem; `schema` names the known fields of an unknown one. */
export function configProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  return issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const field = at ? `${at}.${key}` : key;
          const known = knownKeys(schema, issue.path.map(String));
          const near = closest(key, known);
          return `${field}: unknown field; ${near ? `did you mean "${near}"? ` : ''}known fields here: ${known.join(', ')}`;
        })
        .join('\n  - ');
    }
    // A bad record key (extraLabels) carries the real message one level down.
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return `${at || '(top level)'}: ${message}`;
  });
}

function knownKeys(schema: z.ZodType, path: string[]): string[] {
  let node: z.ZodType = schema;
  for (const key of path) {
    const shape = objectShape(node);
    if (!shape || !(key in shape)) return [];
    node = shape[key]!;
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(node: z.ZodType): Record<string, z.ZodType> | undefined {
  // Unwrap .default()/.prefault()/.describe() layers down to the object.
  let current: any = node;
  for (let i = 0; i < 5 && current; i++) {
    if (current.shape) return current.shape;
    current = current._zod?.def?.innerType;
  }
  return undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const best = candidates.map((c) => [c, distance(word, c)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : undefined;
}
