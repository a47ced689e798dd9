// Fails when dist/ differs from a fresh bundle of the sources (dist/ is committed and must match), or
// when two files in dist/ have the same bytes (the action and the CLI share one build: no copies).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { filesUnder } from './sources-hash.mjs'

// dist/ was 5.4 MB when the action and the CLI were two builds with copies of every chunk; one build
// with minified chunks weighs about 1.7 MB. The budget is half the old size (issue 18).
const MAX_DIST_BYTES = 2_700_000

const fresh = mkdtempSync(join(tmpdir(), 'obm-dist-'))
execFileSync(process.execPath, ['scripts/bundle.mjs', fresh], { stdio: 'inherit' })
const list = dir => filesUnder(dir).sort()
const a = list('dist')
const b = list(fresh)
const problems = []
for (const f of new Set([...a, ...b])) {
  if (!a.includes(f)) problems.push(`missing in dist/: ${f}`)
  else if (!b.includes(f)) problems.push(`extra in dist/: ${f}`)
  else if (!readFileSync(join('dist', f)).equals(readFileSync(join(fresh, f)))) problems.push(`differs: dist/${f}`)
}
rmSync(fresh, { recursive: true, force: true })
const byContent = new Map()
for (const f of a) {
  const h = createHash('sha256')
    .update(readFileSync(join('dist', f)))
    .digest('hex')
  byContent.set(h, [...(byContent.get(h) ?? []), f])
}
const copies = [...byContent.values()].filter(same => same.length > 1).map(same => same.map(f => `dist/${f}`).join(' = '))
if (problems.length) console.error(`dist/ is stale (${problems.length} file(s)): ${problems.slice(0, 5).join('; ')}\nrun \`npm run bundle\` and commit dist/`)
if (copies.length)
  console.error(
    `dist/ holds ${copies.length} file(s) twice: ${copies.slice(0, 5).join('; ')}\nscripts/bundle.mjs must build the action and the CLI once, into one set of files`
  )
const bytes = a.reduce((n, f) => n + statSync(join('dist', f)).size, 0)
if (bytes > MAX_DIST_BYTES) console.error(`dist/ weighs ${bytes} bytes, over its budget of ${MAX_DIST_BYTES}: look for what grew (ncc --stats-out)`)
if (problems.length || copies.length || bytes > MAX_DIST_BYTES) process.exit(1)
console.log(`dist/ matches a fresh bundle (${a.length} files, no two alike, ${bytes} bytes)`)
