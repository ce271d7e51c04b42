import { defineConfig } from 'vitest/config';

// Vitest config for the mutation run (`npm run mutation`): only the pure unit tests, and no
// DynamoDB Local global setup, so Stryker's test runs need no Java and start fast.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 30_000,
    reporters: ['default'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
