/**
 * Import rules checked in CI (`npm run lint:deps`). The reference model of the differential
 * tests is an independent oracle: it may import nothing of the product, or a bug shared by both
 * sides could never fail a test.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
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
