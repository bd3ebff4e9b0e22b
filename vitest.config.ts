// Two suites: pure unit tests, and integration tests against the real sandbox (Redis, MLflow, Kubernetes).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'sandbox/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Integration files share one control plane; run them one at a time, tests isolated by namespace.
          fileParallelism: false,
        },
      },
    ],
  },
});
