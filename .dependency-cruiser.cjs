/**
 * Import rules checked in CI (`npm run lint:deps`): the layers run one way (infra → functions →
 * shared; the domain imports nothing outside itself but libraries), and the reference model of
 * the differential tests is an independent oracle: it may import nothing of the product, or a bug
 * shared by both sides could never fail a test.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'product-does-not-import-infra',
      comment: 'Imports run infra → functions → shared: product code never reaches back into the deployment.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { path: '^infra/' },
    },
    {
      name: 'shared-does-not-import-functions',
      comment: 'Handlers are the outer layer: nothing under shared/ may depend on one.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^functions/' },
    },
    {
      name: 'adapters-below-application',
      comment: 'Adapters reach the database for the use cases; they never call a use case or the HTTP contract.',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: '^shared/(application|contract)/' },
    },
    {
      name: 'application-speaks-no-http',
      comment: 'Use cases answer in domain terms; the handlers and shared/contract turn them into HTTP.',
      severity: 'error',
      from: { path: '^shared/application/' },
      to: { path: '^shared/contract/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'shared/domain is the pure, exact core: no AWS, no I/O, nothing of the layers above it.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: {
        pathNot: '^shared/domain/',
        dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'type-only'],
      },
    },
    {
      name: 'domain-uses-no-aws',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|aws-cdk-lib|@middy|aws-lambda)' },
    },
    {
      name: 'reference-model-is-independent',
      comment: 'tests/reference is written from the spec alone: no product code, no test support that imports it.',
      severity: 'error',
      from: { path: '^tests/reference/' },
      to: { path: '^(shared|functions|infra|scripts|bench|web|sdk)/|^tests/(?!reference/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
