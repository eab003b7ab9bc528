/** Jest runs the TypeScript sources through ts-jest (transpile only: `npm test` type-checks first with tsc). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 20000,
  // Every log line of the run, from every suite and every bot process it starts, is also written to one
  // directory and checked at the end: one line that is not a JSON object or repeats a key fails the run.
  globalSetup: '<rootDir>/test/support/log-tee.setup.ts',
  globalTeardown: '<rootDir>/test/support/log-tee.teardown.ts',
  setupFiles: ['<rootDir>/test/support/log-tee.children.ts'],
  // No forceExit: every test closes what it opens, so jest ends on its own (a leak shows as jest not
  // exiting; --detectOpenHandles names it).
};
