/** Jest runs the TypeScript sources through ts-jest (transpile only: `npm test` type-checks first with tsc). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 20000,
  // A failed end-to-end test can leave a server or child process behind; CI must still end (tests clean up
  // in afterEach/afterAll, and --detectOpenHandles shows leaks when looking for them).
  forceExit: true,
};
