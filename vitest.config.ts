import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));
// Unit tests import workspace packages from source; end-to-end tests in test/ run the built CLI.
const alias = {
  '@bnlab/engine': src('engine'),
  '@bnlab/report': src('report'),
};

export default defineConfig({
  test: {
    // 2 cores: two forks keep the machine busy without oversubscribing worker-thread tests.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { resolve: { alias }, test: { name: 'engine', include: ['packages/engine/src/**/*.spec.ts'], testTimeout: 120_000 } },
      { resolve: { alias }, test: { name: 'report', include: ['packages/report/src/**/*.spec.ts'], testTimeout: 120_000 } },
      { resolve: { alias }, test: { name: 'pipeline', include: ['packages/pipeline/src/**/*.spec.ts'], testTimeout: 300_000 } },
      { resolve: { alias }, test: { name: 'e2e', include: ['test/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 } },
    ],
  },
});
