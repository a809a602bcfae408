import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['.scratch*/**', 'dist/**', 'node_modules/**', '**/cdk.out/**', 'test/fixtures/**', 'examples/**/node_modules/**', 'bench-results/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**', 'bin/**', 'examples/**', 'bench/**'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // Dependencies point one way: cli → servers → durable → host → environment → runtime-api; assembly is a leaf.
    files: ['lib/runtime-api/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../environment/*', '../host/*', '../servers/*', '../cli/*', '../assembly/*'] }],
    },
  },
  {
    files: ['lib/environment/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../host/*', '../servers/*', '../cli/*'] }] },
  },
  {
    files: ['lib/host/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../durable/*', '../servers/*', '../cli/*'] }] },
  },
  {
    // The durable execution service runs functions through the host; servers give it HTTP.
    files: ['lib/durable/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../servers/*', '../cli/*'] }] },
  },
  {
    files: ['lib/servers/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../cli/*'] }] },
  },
  {
    files: ['lib/assembly/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../environment/*', '../host/*', '../servers/*', '../cli/*', '../runtime-api/*', '../events/*'] }],
    },
  },
  {
    // Events are pure code that reads only the assembly's trigger specs.
    files: ['lib/events/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../environment/*', '../host/*', '../servers/*', '../cli/*', '../runtime-api/*'] }],
    },
  },
  {
    files: ['lib/runtimes/**/*.mjs', 'scripts/**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
