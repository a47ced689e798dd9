/**
 * Bad input, in process through cliMain: each row gives exactly one `error: …` line on stderr, the
 * exit code of the contract (2 bad usage or input, 1 the target's state), no stack trace or
 * placeholders, within seconds, and writes nothing (the registry's repositories, tags and digests
 * and the layout's bytes are unchanged). The same table runs through the bundled action in
 * bad-input-action.itg.test.ts.
 */
import type { Distribution } from '../../__fixtures__/distribution.js'
import { cliMain } from '../../src/cli-main.js'
import { clearSecrets } from '../../src/log.js'
import { badLineProblems, ROW_LIMIT_MS, snapshotDir, snapshotRegistry, arrangeWorld, type World } from './bad-input-helpers.js'
import { ROWS, type Env, type Row } from './bad-input-rows.js'

let world: World
let dist: Distribution
let env: Env
let registryBefore: Record<string, string>
let layoutBefore: Record<string, string>

beforeAll(async () => {
  world = await arrangeWorld('bad-input')
  ;({ dist, env, registryBefore, layoutBefore } = world)
}, 30_000)

afterAll(async () => {
  await world?.close()
  clearSecrets()
})

/** `attach <image> --name=value …`: the command and image positional, as a user types them. */
function cliArgv(row: Row, e: Env): string[] {
  const { image = '', command = 'attach', ...rest } = row.inputs(e)
  return [command, image, ...Object.entries(rest).map(([k, v]) => `--${k}=${v}`), ...(row.argv ?? [])]
}

const cliRows = ROWS.filter(r => r.only !== 'action')

test('the table has at least 40 rows', () => {
  expect(ROWS.length).toBeGreaterThanOrEqual(40)
  expect(new Set(ROWS.map(r => r.name)).size).toBe(ROWS.length)
  // the snapshots see what a write would change
  expect(registryBefore['app:v1']).toBe(env.digest)
  expect(Object.keys(layoutBefore)).toContain('index.json')
})

describe.each(cliRows.map(r => [r.name, r] as const))('%s', (_name, row) => {
  test('one clear error line, the right exit code, within seconds, nothing written', async () => {
    const out: string[] = []
    const err: string[] = []
    const started = Date.now()
    const code = await cliMain(cliArgv(row, env), {
      stdout: s => out.push(s),
      stderr: s => err.push(s),
      // no ambient credentials, CI context or git repository
      env: { PATH: process.env.PATH, HOME: env.work, DOCKER_CONFIG: `${env.work}/docker` },
      cwd: env.work,
      readStdin: () => row.stdin ?? ''
    })
    const elapsed = Date.now() - started
    const lines = err
      .join('')
      .split('\n')
      .filter(l => l.trim() !== '')
    expect({ code, lines }).toEqual({ code: row.code, lines: [expect.stringMatching(/^error: /)] })
    expect(out.join('')).toBe('')
    const line = lines[0]!
    expect(line).toMatch(row.message)
    expect(badLineProblems(line.slice('error: '.length))).toEqual([])
    if (row.secret) expect(line).not.toContain(row.secret)
    expect(elapsed).toBeLessThan(ROW_LIMIT_MS)
    if (row.target === 'registry' || row.target === 'none') expect(await snapshotRegistry(dist.url)).toEqual(registryBefore)
    expect(await snapshotDir(env.layout)).toEqual(layoutBefore)
  })
})
