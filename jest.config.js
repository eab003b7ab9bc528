/** Jest runs the TypeScript sources through ts-jest (transpile only: `npm test` type-checks first with tsc). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 20000,
  // No forceExit: every test closes what it opens, so jest ends on its own (a leak shows as jest not
  // exiting; --detectOpenHandles names it).
};
