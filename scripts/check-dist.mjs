// Fails when dist/ differs from a fresh bundle of the sources: dist/ is committed and must match.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const fresh = mkdtempSync(join(tmpdir(), 'obm-dist-'))
execFileSync(process.execPath, ['scripts/bundle.mjs', fresh], { stdio: 'inherit' })
const list = dir =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter(f => statSync(join(dir, f)).isFile())
    .sort()
const a = list('dist')
const b = list(fresh)
const problems = []
for (const f of new Set([...a, ...b])) {
  if (!a.includes(f)) problems.push(`missing in dist/: ${f}`)
  else if (!b.includes(f)) problems.push(`extra in dist/: ${f}`)
  else if (!readFileSync(join('dist', f)).equals(readFileSync(join(fresh, f)))) problems.push(`differs: dist/${f}`)
}
rmSync(fresh, { recursive: true, force: true })
if (problems.length) {
  console.error(`dist/ is stale (${problems.length} file(s)): ${problems.slice(0, 5).join('; ')}\nrun \`npm run bundle\` and commit dist/`)
  process.exit(1)
}
console.log(`dist/ matches a fresh bundle (${a.length} files)`)
