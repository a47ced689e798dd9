/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  roots: ['<rootDir>/__tests__'],
  setupFiles: ['<rootDir>/__fixtures__/jest-esm-check.cjs'],
  setupFilesAfterEnv: ['<rootDir>/__fixtures__/unit-tests-open-no-sockets.cjs'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2
}
