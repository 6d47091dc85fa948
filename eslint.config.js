import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One lint configuration for every TypeScript package of the workspace. */
export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', 'contracts/**', '**/coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Configuration is read once at boot in main.ts/config.ts; pass it down instead.',
        },
      ],
    },
  },
  {
    files: ['**/src/main.ts', '**/src/config.ts', '**/test/**', '**/scripts/**', 'packages/testkit/**', '**/bench/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
