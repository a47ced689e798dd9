// The hash of what the bundles are built from: every file under src/, package-lock.json and
// tsconfig.json, by path and content. scripts/bundle.mjs writes it to dist/SOURCES.sha256; the
// tests that run the bundles refuse to run a dist/ built from other sources.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/** Every file under `dir`, as paths relative to it (for the bundle's sources, check-dist and the bench). */
export const filesUnder = dir =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter(f => statSync(join(dir, f)).isFile())

/** sha256 hex over the sources, in a fixed order, with `/` as the separator on every OS. */
export function sourcesHash(root = process.cwd()) {
  const list = [...filesUnder(join(root, 'src')).map(f => join(root, 'src', f)), join(root, 'package-lock.json'), join(root, 'tsconfig.json')]
    .map(f => relative(root, f).split(sep).join('/'))
    .sort()
  const h = createHash('sha256')
  for (const f of list)
    h.update(`${f}\0`)
      .update(readFileSync(join(root, f)))
      .update('\0')
  return h.digest('hex')
}

export const SOURCES_FILE = 'SOURCES.sha256'
