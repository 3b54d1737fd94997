// Lint rules for all TypeScript sources; CI runs with --max-warnings 0.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.test-cache/**', '.vscode-test/**', 'test-results/**', '**/*.mjs', '**/*.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['warn', { checkLoops: false }],
      eqeqeq: ['warn', 'always'],
      curly: ['warn', 'multi-line'],
    },
  },
  {
    // Protocol messages are declared as `namespace X { method; type }`, shared by client and server.
    files: ['protocol/**/*.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
);
