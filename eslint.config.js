// Type-aware lint; zero warnings allowed (npm test runs it with --max-warnings 0).
// Import cycles and dependency direction are checked by scripts/check-imports.mjs.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      '.cache/**',
      'bin/**',
      'scripts/**',
      'scratch/**',
      '*.config.js',
      'src/platform/views/public/**',
    ],
  },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']",
          message: 'No .only in tests.',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through src/app/config.ts only.',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
    },
  },
  {
    files: ['src/app/config.ts', 'test/**/*.ts', 'bench/**/*.ts', 'src/platform/testing/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/features/*/rules.ts', 'src/platform/money.ts', 'src/platform/dates.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['fastify', 'kysely', 'pg', '@electric-sql/*', '**/store.js', '**/routes.js'] },
      ],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/features/**'] }] },
  },
);
