// Builds the two ncc bundles: the action (dist/index.js) and the CLI (dist/cli/index.js).
// Usage: node scripts/bundle.mjs [outDir]   (default: dist; check-dist bundles into a temp dir)
import { execFileSync } from 'node:child_process'
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sourcesHash, SOURCES_FILE } from './sources-hash.mjs'

const out = process.argv[2] ?? 'dist'
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
rmSync(out, { recursive: true, force: true })
for (const [entry, dir] of [
  ['src/index.ts', out],
  ['src/cli.ts', join(out, 'cli')]
]) {
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', dir, '--minify', '--no-source-map-register', '--quiet', '--license', 'licenses.txt'], {
    stdio: 'inherit'
  })
}
const cli = join(out, 'cli', 'index.js')
const text = readFileSync(cli, 'utf8')
if (!text.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${text}`)
chmodSync(cli, 0o755)
// what these bundles were built from: the tests that run them check it (__fixtures__/action-runner.ts)
writeFileSync(join(out, SOURCES_FILE), `${sourcesHash()}\n`)
