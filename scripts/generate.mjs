#!/usr/bin/env node
/**
 * Writes the files generated from the sources (the list and the renderers are in
 * scripts/generated-files.ts, which the tests that check those files import too): action.yml from
 * the input and output tables (src/input-specs.ts, src/output-specs.ts), schema/build-metadata.v1.json from src/metadata/schema.ts.
 * Usage: npm run generate            write them, and name those that changed
 *        npm run generate -- --check  write nothing; exit 1 naming the files that are out of date
 * The renderers are TypeScript, loaded through jiti (no build step, no type check).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createJiti } from 'jiti'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check')
const { GENERATED_FILES, staleMessage } = await createJiti(import.meta.url).import('./generated-files.ts')

let stale = 0
for (const f of GENERATED_FILES) {
  const path = join(ROOT, f.path)
  const text = f.render()
  let current
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    current = undefined
  }
  if (current === text) continue
  stale++
  if (check) {
    console.error(staleMessage(f))
    continue
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
  console.error(`wrote ${f.path} (from ${f.from})`)
}
if (check && stale > 0) process.exit(1)
if (!check && stale === 0) console.error(`up to date: ${GENERATED_FILES.map(f => f.path).join(', ')}`)
