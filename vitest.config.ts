import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup-tools.ts', 'test/setup-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
