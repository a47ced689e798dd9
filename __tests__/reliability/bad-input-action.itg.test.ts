/**
 * Bad input through the bundled action (dist/index.js) as the runner runs it: a subset of the table in
 * bad-input-rows.ts, each giving exactly one `::error::` line on stdout, the contract's exit code, no
 * stack trace on either stream, within seconds, and nothing written (registry and layout unchanged).
 * Rebuild the bundle (`npm run bundle`) after changing sources.
 */
import { existsSync } from 'node:fs'
import { parseOutputFile } from '../../__fixtures__/action-runner.js'
import type { Distribution } from '../../__fixtures__/distribution.js'
import {
  ACTION_BUNDLE,
  badLineProblems,
  inputEnv,
  ROW_LIMIT_MS,
  runBundle,
  snapshotDir,
  snapshotRegistry,
  arrangeWorld,
  type World
} from './bad-input-helpers.js'
import { ROWS, type Env } from './bad-input-rows.js'

/** One row or more of each kind: references, digests, modes, JSON, files, booleans, credentials, targets. */
const PICKED = [
  'reference: uppercase repository',
  'reference: port out of range',
  'reference: image missing',
  'digest: input disagrees with the image reference',
  'digest: not held by the registry',
  'mode: unknown',
  'command: unknown',
  'metadata: invalid JSON',
  'metadata: a secret by name',
  // (an inline value over 128 KiB cannot be passed in one environment variable at all: E2BIG)
  'metadata-file: over the size cap',
  'metadata-file: missing',
  'annotations: reserved prefix',
  'annotations: a GitHub token as a value',
  'annotations: a key this tool writes, annotations mode',
  "annotation-prefix: the OCI's namespace",
  'sbom: not an SBOM',
  'sbom: glob matching nothing',
  'provenance: not a boolean',
  'summary: not a boolean',
  'verify-timeout: negative',
  'max-age: bad duration',
  'revision: not a sha',
  'require: unknown',
  'username without password',
  'registry unreachable (closed loopback port): attach',
  'missing tag on the registry',
  'missing repository on the registry',
  'missing OCI layout directory',
  'missing tag in the layout',
  // the private part and policies (issue 19): exit 2, nothing written, the key never echoed
  'private: without recipients',
  'private: a recipient age does not accept',
  'identity: a file that cannot be read (verify)',
  'identity: a key given where its file goes (never echoed)',
  'policy: a syntax error'
]
const rows = PICKED.map(name => {
  const row = ROWS.find(r => r.name === name)
  if (!row) throw new Error(`no row named ${name}`)
  return row
})

let world: World
let dist: Distribution
let env: Env
let registryBefore: Record<string, string>
let layoutBefore: Record<string, string>

beforeAll(async () => {
  if (!existsSync(ACTION_BUNDLE)) throw new Error(`${ACTION_BUNDLE} is missing: run npm run bundle`)
  world = await arrangeWorld('bad-input-action')
  ;({ dist, env, registryBefore, layoutBefore } = world)
}, 30_000)

afterAll(async () => {
  await world?.close()
})

describe.each(rows.map(r => [r.name, r] as const))('action: %s', (_name, row) => {
  test('one ::error:: line, the right exit code, within seconds, nothing written', async () => {
    const inputs = row.inputs(env)
    const run = await runBundle(ACTION_BUNDLE, [], { ...inputEnv(inputs), HOME: env.work, DOCKER_CONFIG: `${env.work}/docker`, RUNNER_DEBUG: '1' }, env.work)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect({ code: run.code, errors: errors.length }).toEqual({ code: row.code, errors: 1 })
    const line = errors[0]!.replace(/^::error[^:]*::/, '')
    expect(line).toMatch(row.message)
    expect(badLineProblems(line)).toEqual([])
    // nothing else on stderr (no uncaught exception, no stack), no stack frame on stdout
    expect(run.stderr).toBe('')
    expect(run.stdout).not.toMatch(/^\s+at\s/m)
    // ::add-mask:: is how the runner learns what to mask: it consumes the line and never shows it
    const shown = run.stdout
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n')
    if (row.secret) expect(shown + run.outputFile + run.summaryFile).not.toContain(row.secret)
    // a failed run has no verdict: verified=false, nothing found missing, the exit code and the error line
    const outputs = parseOutputFile(run.outputFile)
    expect(outputs).toEqual({ verified: 'false', missing: '[]', 'exit-code': String(row.code), error: line })
    // and a summary, as every ending writes one (issue 16; it used to write none)
    expect(run.summaryFile).toContain(`| Result | ❌ exit ${row.code}: `)
    expect(run.summaryFile).toContain('| Error | ')
    expect(run.elapsedMs).toBeLessThan(ROW_LIMIT_MS)
    expect(await snapshotRegistry(dist.url)).toEqual(registryBefore)
    expect(await snapshotDir(env.layout)).toEqual(layoutBefore)
  })
})
