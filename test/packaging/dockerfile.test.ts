// The exporter image: built in one stage, its production dependencies installed in another, and a final stage that
// holds only those, the bin and the built dist/ (no TypeScript sources, no compiler, no tsx), runs the dgmon command
// as a non-root user with the benchmarked heap cap. No image is built here (no Docker engine on the test machines):
// the Dockerfile's stages are read as text.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { imageNodeFlags } from '../../bench/exporter-overhead.ts';

const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
const tsconfigBuild = readFileSync('tsconfig.build.json', 'utf8');

/** The Dockerfile's stages: each FROM line and the instructions after it. */
const stages = dockerfile.split(/^(?=FROM )/m).filter((s) => s.startsWith('FROM '));
const stage = (name: string) => stages.find((s) => new RegExp(`^FROM \\S+ AS ${name}$`, 'm').test(s))!;
const final = stages.at(-1)!;
/** Each COPY's sources (one entry per source) and destination. */
const copies = (text: string) =>
  [...text.matchAll(/^COPY (?:--from=(\S+) )?(.+) (\S+)$/gm)].flatMap((m) => m[2]!.split(' ').map((src) => ({ from: m[1], src, dest: m[3]! })));

describe('deploy/Dockerfile', () => {
  it('has a build stage, a production-dependencies stage and a final stage on the same Node base', () => {
    expect(stages).toHaveLength(3);
    const bases = stages.map((s) => /^FROM (\S+)/.exec(s)![1]);
    expect(new Set(bases)).toEqual(new Set(['node:20-bookworm-slim']));
    expect(stage('build')).toBeDefined();
    expect(stage('deps')).toBeDefined();
  });

  it('builds every folder the build compiles, with the lock file and the build script', () => {
    const build = stage('build');
    expect(build).toMatch(/^RUN npm ci --ignore-scripts/m);
    expect(build).toMatch(/^RUN npm run build/m);
    const copied = copies(build).map((c) => c.src);
    const included = JSON.parse(/"include":\s*(\[[^\]]*\])/.exec(tsconfigBuild)![1]!) as string[];
    for (const folder of included) expect(copied, folder).toContain(folder);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'tsconfig.build.json']));
    // The build's asset copy reads this file; it is in preview/, which is copied whole.
    expect(pkg.scripts.build).toContain('preview/chart.browser.js');
  });

  it('installs production dependencies only, from the lock file, without running the package scripts', () => {
    expect(stage('deps')).toMatch(/^RUN npm ci --omit=dev --ignore-scripts .*&& npm cache clean --force$/m);
  });

  it('final stage: the production node_modules, package.json, bin and dist; no sources, no dev dependencies', () => {
    expect(copies(final)).toEqual([
      { from: 'deps', src: '/opt/dgmon/node_modules', dest: './node_modules' },
      { from: undefined, src: 'package.json', dest: './' },
      { from: undefined, src: 'bin', dest: './bin' },
      { from: 'build', src: '/src/dist', dest: './dist' },
    ]);
    expect(final).not.toMatch(/^RUN /m);
  });

  it('runs the dgmon command as a non-root user, with the heap cap the exporter benchmark runs with', () => {
    expect(final).toMatch(/^USER 1000:1000$/m);
    expect(final).toContain(`ENTRYPOINT ["node", "/opt/dgmon/${pkg.bin.dgmon}"]`);
    expect(final).toMatch(/^CMD \["exporter"\]$/m);
    expect(imageNodeFlags(dockerfile)).toEqual(expect.arrayContaining([expect.stringMatching(/^--max-old-space-size=\d+$/)]));
  });
});
