// Three suites: fast unit specs beside the code, integration specs against the
// real PostgreSQL and NATS, and e2e specs that start the built services as processes.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  rootDir: __dirname,
  // content-disposition@3 (via @fastify/static 10) is ESM-only; Node ≥ 20.19 loads it through require(esm), Jest needs it transformed.
  transform: { '^.+\\.ts$': swc, '/node_modules/content-disposition/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@zapgate/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@zapgate/([a-z-]+)/([a-z-]+)$': '<rootDir>/libs/$1/src/$2/index.ts',
  },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/apps/.*/dist', '<rootDir>/libs/.*/dist'],
  testTimeout: 60_000,
};

module.exports = {
  // A root option: Jest ignores it inside `projects`.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
  globalTeardown: '<rootDir>/scripts/jest-global-teardown.js',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.integration-spec.ts'], slowTestThreshold: 30 },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'], slowTestThreshold: 60 },
    // Its own PostgreSQL and NATS, two replicas of every service, and faults: `npm run test:system` alone.
    { ...shared, displayName: 'system', testMatch: ['<rootDir>/system/**/*.system-spec.ts'], slowTestThreshold: 300 },
    // Three clustered nats-servers, R3 streams, two replicas of every service, node and leader kills: `npm run test:cluster` alone.
    { ...shared, displayName: 'cluster', testMatch: ['<rootDir>/system/**/*.cluster-spec.ts'], slowTestThreshold: 300 },
  ],
};
