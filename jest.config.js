/** Jest runs TypeScript through ts-jest; integration tests share one Temporal dev server started in globalSetup. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  // Two test files at a time: most of a suite's time is waiting (on Temporal, Chromium, timeouts), so two share
  // 2 cores well (674 s in band → 372 s). Files keep apart by construction: random database names, owner ids,
  // job ids and ports, and the one test that restarts a server starts its own.
  maxWorkers: 2,
};
