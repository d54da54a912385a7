// The default dgmon.yaml written out with every field's reason as a comment above it (`dgmon init`), drawn from the
// same descriptions as the schema, so the example can never drift from the validator.
import { dump } from 'js-yaml';
import { configJsonSchema, parseConfig } from './config.ts';

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  type?: string | string[];
}

export function commentedDefaults(): string {
  const schema = configJsonSchema() as SchemaNode;
  const defaults = parseConfig({}) as unknown as Record<string, unknown>;
  const header = [
    '# dgmon.yaml: every field with its default. Delete what you do not change; the defaults fill it back in.',
    '# yaml-language-server: $schema=./dgmon.schema.json   (write it with: npx dgmon schema > dgmon.schema.json)',
    '',
  ];
  return [...header, ...render(schema, defaults, 0)].join('\n') + '\n';
}

function render(node: SchemaNode, value: Record<string, unknown>, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (child.description) lines.push(...wrap(child.description, 110 - pad.length).map((l) => `${pad}# ${l}`));
    const v = value[key];
    if (child.properties && v && typeof v === 'object' && !Array.isArray(v)) {
      lines.push(`${pad}${key}:`, ...render(child, v as Record<string, unknown>, depth + 1));
    } else {
      lines.push(`${pad}${dump({ [key]: v }, { flowLevel: 1, lineWidth: -1 }).trimEnd()}`);
    }
    if (depth === 0) lines.push('');
  }
  return lines;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
