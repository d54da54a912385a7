// PromQL label matcher lists as dgmon.yaml writes them (`job="x",namespace="dg"`, no braces): split into matchers,
// and whether a job name passes their job matchers. The config checks its selectors with them and the PromQL
// builders add them to every query, so both read a selector the same way.

/** Splits `a="x,y",b=~"z"` on the commas between matchers, not those inside quoted values. */
export function splitMatchers(s: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted) {
      current += c + (s[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}

/** Whether a job name passes every `job` matcher of a selector (matchers on other labels are not judged here). */
export function jobMatches(selectorText: string, job: string): boolean {
  return splitMatchers(selectorText).every((raw) => {
    const m = /^\s*job\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(raw);
    if (!m) return true;
    const value = m[2]!.replace(/\\(.)/g, '$1');
    const test = (op: string) => {
      if (op === '=' || op === '!=') return value === job;
      try {
        return new RegExp(`^(?:${value})$`).test(job);
      } catch {
        return true; // RE2 syntax JavaScript cannot read: promtool judges it when the rules are checked
      }
    };
    return m[1]!.startsWith('!') ? !test(m[1]!) : test(m[1]!);
  });
}
