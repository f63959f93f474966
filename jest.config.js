// Unit tests sit next to the code; integration suites under test/ start real
// processes and servers, so they get a longer timeout.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/{common,coordinator,aggregator,participant-agent,cli,console}/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 120000,
};
