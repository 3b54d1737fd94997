// Bundles the extension client and the language server with esbuild.
// `dist/server.js` is a standalone LSP server: `node dist/server.js --stdio`.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const targets = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  {
    ...common,
    entryPoints: ['server/src/server.ts'],
    outfile: 'dist/server.js',
    // esbuild would pick web-tree-sitter's ES module build, which needs import.meta; the CommonJS build does not.
    alias: { 'web-tree-sitter': path.resolve('node_modules/web-tree-sitter/web-tree-sitter.cjs') },
  },
];

// The C# parser of policy expressions runs as WebAssembly: the server reads these beside itself.
const wasmFiles = ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'node_modules/tree-sitter-c-sharp/tree-sitter-c_sharp.wasm'];
fs.mkdirSync('dist', { recursive: true });
for (const file of wasmFiles) fs.copyFileSync(file, path.join('dist', path.basename(file)));

if (watch) {
  for (const options of targets) {
    const context = await esbuild.context(options);
    await context.watch();
  }
  console.log('esbuild: watching client and server');
} else {
  await Promise.all(targets.map((options) => esbuild.build(options)));
}
