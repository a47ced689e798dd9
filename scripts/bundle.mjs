// Builds dist/: ONE ncc bundle of src/bundle.ts (dist/bundle.js and the chunks it loads on demand) and
// two entry files that load it: dist/index.js runs the action (action.yml `main`), dist/cli.js the CLI
// (package.json `bin`). One build, so the action and the CLI share every chunk and the licence file.
// Usage: node scripts/bundle.mjs [outDir]   (default: dist; check-dist bundles into a temp dir)
import { execFileSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'
import { SOURCES_FILE, sourcesHash } from './sources-hash.mjs'

const out = process.argv[2] ?? 'dist'
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
// Not bundled: iconv-lite is minipass-fetch's optional dependency (Sigstore's HTTP client), used only by
// its textConverted(), which nothing calls; minipass-fetch loads it in a try/catch and goes on without
// it. 200 KB of encoding tables out of the Sigstore chunk.
const EXTERNALS = ['iconv-lite']
rmSync(out, { recursive: true, force: true })
execFileSync(
  process.execPath,
  [
    ncc,
    'build',
    'src/bundle.ts',
    '-o',
    out,
    '--minify',
    '--no-source-map-register',
    '--quiet',
    '--license',
    'licenses.txt',
    ...EXTERNALS.flatMap(e => ['-e', e])
  ],
  { stdio: 'inherit' }
)
// ncc names its output index.js; the chunks are loaded relative to it (`import("./N.index.js")`), so
// it may move within the directory
renameSync(join(out, 'index.js'), join(out, 'bundle.js'))
// ncc's --minify minifies the main file only and leaves the chunks as webpack wrote them, comments and
// all: minify them the same way (terser, as ncc does: no compression, names kept)
for (const f of readdirSync(out).filter(f => /^\d+\.index\.js$/.test(f))) {
  const file = join(out, f)
  const { code } = await minify(readFileSync(file, 'utf8'), { module: true, compress: false, mangle: { keep_classnames: true, keep_fnames: true } })
  if (code === undefined) throw new Error(`terser returned nothing for ${f}`)
  writeFileSync(file, code)
}
writeFileSync(
  join(out, 'index.js'),
  "// The action (action.yml runs this file); the code is in bundle.js, shared with the CLI.\nimport { action } from './bundle.js'\n\nawait action()\n"
)
const cli = join(out, 'cli.js')
writeFileSync(
  cli,
  "#!/usr/bin/env node\n// The CLI (package.json `bin`); the code is in bundle.js, shared with the action.\nimport { cli } from './bundle.js'\n\nawait cli()\n"
)
chmodSync(cli, 0o755)
// what dist/ was built from: the tests that run it check it (__fixtures__/action-runner.ts)
writeFileSync(join(out, SOURCES_FILE), `${sourcesHash()}\n`)
