// ESLint for the TypeScript host, tests and benchmarks. The AssemblyScript kernel (assembly/) is
// checked by `asc` itself; only its portable files, compiled by tsc too, are plain TypeScript.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'build/', 'node_modules/', 'bench/data/',
      'assembly/**/*.ts', '!assembly/layout.ts', '!assembly/machine-states.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // bin/csvscan.js is CommonJS (bin/package.json): it requires the CLI's bundle (rolldown.config.mjs).
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The examples and the browser entry run in browsers, workers and other Wasm hosts too.
    files: ['examples/**/*.{js,mjs}', 'src/browser/**'],
    languageOptions: {
      globals: {
        WebAssembly: 'readonly', document: 'readonly', window: 'readonly', self: 'readonly', location: 'readonly',
        URLSearchParams: 'readonly', Worker: 'readonly', Blob: 'readonly', File: 'readonly', FileReaderSync: 'readonly',
        fetch: 'readonly', DOMException: 'readonly', AbortController: 'readonly', performance: 'readonly', requestAnimationFrame: 'readonly',
      },
    },
  },
);
