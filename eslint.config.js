// Lint: ESLint's and typescript-eslint's recommended rules (syntactic, no type information, so a
// full run stays a few seconds on two cores). Formatting is not linted; the code keeps its style.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.data/', '.test-data/', 'coverage/', 'test-output/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      // `const { secret: _omitted, ...rest } = x` is how the code drops a property; `_` marks it.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A `let` read by a shutdown hook declared before the value exists must stay a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // The URL and header validators match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests and benchmarks read untyped JSON bodies, CloudFormation templates and SDK internals;
    // production code (functions/, shared/, infra/) stays free of `any`.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', '*.js', '*.cjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // The pages' scripts are browser modules (web/*.html).
    files: ['web/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
);
