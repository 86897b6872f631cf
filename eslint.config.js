// @ts-check
const path = require('node:path');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const { workspaces } = require('./package.json');

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

/** Test and tooling code: it runs only with the full (development) install. */
const TOOLING = ['**/*.test.ts', '**/test/**', '**/bench/**', '**/scripts/**', 'tests/**'];

/**
 * Every package a file imports is declared where `npm ci --omit=dev` (the Dockerfile) will install it:
 * production code only in its own workspace's dependencies (a root devDependency is not in the image);
 * tests and tooling also in the root's devDependencies. Type-only imports are erased and not checked.
 */
const declaredImports = (dirs, allowDevDeps) => ({
  'import-x/no-extraneous-dependencies': [
    'error',
    { packageDir: dirs.map((dir) => path.join(__dirname, dir)), devDependencies: allowDevDeps, optionalDependencies: false, peerDependencies: false, includeInternal: true },
  ],
});
const dependencyRules = [
  ...workspaces.map((workspace) => ({ files: [`${workspace}/**/*.{ts,js}`], ignores: TOOLING, rules: declaredImports([workspace], false) })),
  ...workspaces.map((workspace) => ({ files: TOOLING.map((glob) => `${workspace}/${glob}`), rules: declaredImports([workspace, '.'], true) })),
  { files: ['*.js', '*.ts'], rules: declaredImports(['.'], true) },
];

module.exports = tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.tmp/**', 'infra/kafka/**', 'packages/kafkajs/index.js', 'packages/kafkajs/src/**', 'packages/kafkajs/types/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    // TypeScript sources resolve too, through each workspace's `exports` map.
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })] },
  },
  ...dependencyRules,
  {
    // Packages meet only through their `exports` maps: no path into another package's folders,
    // neither by name (`@gateway/renderer/src/...`) nor relatively (`../../renderer/src/...`).
    files: ['**/*.{ts,js}'],
    rules: {
      'import-x/no-relative-packages': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@gateway/[^/]+/src(/|$)', message: "Import the package's entry or a subpath its package.json `exports` names; another package's src/ is private." }] },
      ],
    },
  },
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
