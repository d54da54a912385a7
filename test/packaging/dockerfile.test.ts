// The exporter image must hold every folder the package ships (package.json "files"), or `dgmon exporter` fails to
// import inside the container; and its entry point must be the dgmon command.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';

const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[]; bin: Record<string, string> };

describe('deploy/Dockerfile', () => {
  it('copies every folder package.json ships', () => {
    const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/\S*$/gm)].map((m) => m[1]);
    for (const folder of pkg.files) expect(copied, folder).toContain(folder);
  });

  it('installs production dependencies from the lock file and runs the dgmon command as a non-root user', () => {
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toContain(`ENTRYPOINT ["node", "/opt/dgmon/${pkg.bin.dgmon}"]`);
    expect(dockerfile).toMatch(/^CMD \["exporter"\]$/m);
  });
});
