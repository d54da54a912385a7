// JSON.parse keeps the last of two equal keys without a word; many log pipelines reject such a line or keep the first.
// This walks a JSON text as the grammar reads it and names every object key that appears twice in one object.
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        if (seen.has(key)) found.push(`${path}.${key}`);
        seen.add(key);
        space();
        if (text[i++] !== ':') fail('expected ":"');
        value(`${path}.${key}`);
        space();
        const next = text[i++];
        if (next === '}') return;
        if (next !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        space();
        const next = text[i++];
        if (next === ']') return;
        if (next !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') return void string();
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected value');
    i += m![0].length;
  };
  JSON.parse(text); // the text is JSON at all (a clear error otherwise)
  value('$');
  return found;
}
