/**
 * A bug, through the bundled CLI and the bundled action as a user runs them: exit 4, one line that
 * says it is a bug and asks for a report, the outputs and the summary saying the same, and no stack
 * trace unless asked for (--debug; step debug logging, RUNNER_DEBUG=1, in Actions).
 *
 * The bug is forced from outside the code under test: a module preloaded into node (`--import`)
 * breaks node:crypto's createHash so that calling it raises a TypeError, as wrong code would; the
 * first digest check of a fetched manifest meets it. Also here: several bad inputs give one
 * ::error:: annotation each, and one joined `error` output.
 * Rebuild the bundle (`npm run bundle`) after changing sources.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile } from '../../__fixtures__/action-runner.js'
import { copyFixtureLayout } from '../../__fixtures__/layout.js'
import { ACTION_BUNDLE, CLI_BUNDLE, inputEnv, runBundle } from './bad-input-helpers.js'

/** The line, as the CLI (`error: …`) and the action (`::error::…`) print it after their prefix. */
const BUG_LINE =
  /^internal error in oci-build-metadata \d+\.\d+\.\d+ \(TypeError: Cannot read properties of undefined \(reading 'update'\)\)\. This is a bug, not a problem with the image or the inputs: please report it at https:\/\/github\.com\/<owner>\/oci-build-metadata\/issues with this line and the command that ran \(--debug, or step debug logging in GitHub Actions, adds where it failed\)\.$/
/** A stack frame, on a line of its own or inside an escaped ::debug:: line (%0A is a newline there). */
const FRAME = /(^|%0A)\s+at\s/m

let work: string
let layout: string
let breakHash: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'obm-internal-error-'))
  layout = await copyFixtureLayout()
  breakHash = join(work, 'break-hash.mjs')
  await writeFile(
    breakHash,
    [
      "import crypto from 'node:crypto'",
      "import { syncBuiltinESMExports } from 'node:module'",
      '// what wrong code does: a method of something that is not there',
      'crypto.createHash = function createHash() { const hash = undefined; return hash.update }',
      'syncBuiltinESMExports()'
    ].join('\n')
  )
})

afterAll(async () => {
  await Promise.all([rm(work, { recursive: true, force: true }), rm(layout, { recursive: true, force: true })])
})

/** Node preloads the module that breaks createHash. */
const broken = () => ({ nodeArgs: ['--import', breakHash] })
const env = (more: Record<string, string> = {}) => ({ HOME: work, ...more })

describe('the CLI', () => {
  test('exit 4, one error line asking for a report, no stack', async () => {
    const run = await runBundle(CLI_BUNDLE, ['verify', `oci:${layout}:v1`], env(), work, broken())
    expect(run.code).toBe(4)
    expect(run.stdout).toBe('')
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^error: /)])
    expect(run.stderr.trimEnd().replace(/^error: /, '')).toMatch(BUG_LINE)
    expect(run.stderr).not.toMatch(FRAME)
  })

  test('--debug: the stack as well', async () => {
    const run = await runBundle(CLI_BUNDLE, ['verify', `oci:${layout}:v1`, '--debug'], env(), work, broken())
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(/^debug: TypeError: Cannot read properties of undefined \(reading 'update'\)\n\s+at createHash /m)
    expect(
      run.stderr
        .trimEnd()
        .split('\n')
        .at(-1)
        ?.replace(/^error: /, '')
    ).toMatch(BUG_LINE)
  })
})

describe('the action', () => {
  test('exit 4, one ::error::, the outputs and the summary say so, no stack', async () => {
    const run = await runBundle(ACTION_BUNDLE, [], env(inputEnv({ image: `oci:${layout}:v1`, command: 'verify' })), work, broken())
    expect(run.code).toBe(4)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    const line = errors[0]!.replace(/^::error[^:]*::/, '')
    expect(line).toMatch(BUG_LINE)
    expect(parseOutputFile(run.outputFile)).toEqual({ verified: 'false', missing: '[]', 'exit-code': '4', error: line })
    expect(run.summaryFile).toContain('| Result | ❌ exit 4: a bug in oci-build-metadata (please report it) |')
    expect(run.stdout).not.toMatch(FRAME)
    expect(run.stderr).toBe('')
  })

  test('with step debug logging (RUNNER_DEBUG=1), the stack in a ::debug:: line', async () => {
    const run = await runBundle(ACTION_BUNDLE, [], env({ ...inputEnv({ image: `oci:${layout}:v1`, command: 'verify' }), RUNNER_DEBUG: '1' }), work, broken())
    expect(run.code).toBe(4)
    expect(run.stdout).toMatch(/^::debug::TypeError: Cannot read properties of undefined \(reading 'update'\)%0A\s+at createHash /m)
  })

  test('several bad inputs: one ::error:: each, and the error output joins them', async () => {
    const run = await runBundle(ACTION_BUNDLE, [], env(inputEnv({ image: '', mode: 'x', provenance: 'maybe' })), work)
    expect(run.code).toBe(2)
    const errors = run.stdout
      .split('\n')
      .filter(l => l.startsWith('::error'))
      .map(l => l.replace(/^::error[^:]*::/, ''))
    expect(errors).toEqual([
      'input image is required. Give [registry/]repository[:tag][@digest] or oci:<dir>[:tag].',
      'input mode must be artifact or annotations, got "x".',
      'input provenance must be true or false, got "maybe".'
    ])
    expect(parseOutputFile(run.outputFile).error).toBe(
      'input image is required. Give [registry/]repository[:tag][@digest] or oci:<dir>[:tag]; input mode must be artifact or annotations, got "x"; ' +
        'input provenance must be true or false, got "maybe".'
    )
  })
})
