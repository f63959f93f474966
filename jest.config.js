// Unit tests sit next to the code; integration suites under test/ start real
// processes and servers, so they get a longer timeout and run one file at a time.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/{common,coordinator,aggregator,participant-agent,cli}/**/*.test.ts'],
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
