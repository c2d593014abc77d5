// Bundles the extension (dist/extension.js: one CommonJS file, `vscode` left to VS Code) and,
// with --tests, the unit and end-to-end tests (out/test/**.test.js, run by `node --test`).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

if (process.argv.includes('--tests')) {
  const tests = ['unit', 'e2e'].flatMap((kind) =>
    readdirSync(join('test', kind)).filter((name) => name.endsWith('.test.ts')).map((name) => join('test', kind, name)),
  );
  // Tests use their packages (playwright-core) from node_modules; the code under test is bundled.
  await build({ ...common, entryPoints: tests, outdir: 'out/test', outbase: 'test', packages: 'external' });
} else {
  await build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], sourcemap: false });
}
