import { defineConfig } from 'vitest/config';

// The fleet proof (issue #18) measures the upstream's 1 s windows to the call; it runs after every
// other test file, alone on the machine, as a load test would (run together with the browser and
// multi-process tests on two cores, their stalls bunched its calls).
const FLEET = 'test/integration/fleet/fleet.test.ts';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [FLEET] },
      },
      {
        extends: true,
        test: { name: 'fleet', include: [FLEET], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
