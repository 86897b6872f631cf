// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const envRule = {
  'no-restricted-properties': [
    'error',
    {
      object: 'process',
      property: 'env',
      message: 'Only a composition root (main.ts) or test/infra tooling reads process.env; take settings as arguments.',
    },
  ],
};

module.exports = tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.tmp/**', 'infra/kafka/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['contracts/**/*.ts', 'services/**/*.ts'],
    ignores: ['**/main.ts', '**/dev.ts', '**/demo.ts', '**/cli/**', '**/bench/**', '**/*.test.ts', '**/test/**', '**/scripts/**'],
    rules: envRule,
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
