// A bug inside the engine, through the CLI in process: exit 4 and one line asking for a bug report,
// never exit 1 ("missing"); the stack only with --debug. The bug is a real TypeError: a target that
// answers a manifest fetch with nothing, so the code reading it fails as wrong code would.
import { cliMain } from '../../src/cli-main.js'
import type { Target } from '../../src/oci/target.js'

const IMAGE = 'registry.test/app:v1'
const REPORT =
  /^error: internal error in oci-build-metadata \d+\.\d+\.\d+ \(TypeError: Cannot read properties of undefined \(reading '\w+'\)\)\. This is a bug, not a problem with the image or the inputs: please report it at https:\/\/github\.com\/<owner>\/oci-build-metadata\/issues/

/** A target whose fetch resolves to nothing: every command reads the image's manifest first. */
const brokenTarget = () => ({ fetchManifest: async () => undefined }) as unknown as Target

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await cliMain(argv, { stdout: s => (stdout += s), stderr: s => (stderr += s), env: {}, cwd: '/' }, { openTarget: brokenTarget })
  return { code, stdout, stderr }
}

test.each(['verify', 'attach', 'discover', 'get'])('%s: exit 4, one line asking for a bug report, no stack', async command => {
  const r = await cli([command, IMAGE])
  expect(r.code).toBe(4)
  const lines = r.stderr.trim().split('\n')
  expect(lines).toEqual([expect.stringMatching(REPORT)])
  expect(r.stderr).not.toMatch(/^\s+at\s/m)
})

test('--debug adds the stack of the bug, after the debug log and before the line', async () => {
  const r = await cli(['verify', IMAGE, '--debug'])
  expect(r.code).toBe(4)
  expect(r.stderr).toMatch(/^debug: TypeError: Cannot read properties of undefined[^\n]*\n(\s+at .*\n)+/m)
  expect(r.stderr.trim().split('\n').at(-1)).toMatch(REPORT)
})

test('--json: an object whose exit-code is 4 and whose error is the line', async () => {
  const r = await cli(['verify', IMAGE, '--json'])
  expect(r.code).toBe(4)
  const out = JSON.parse(r.stdout) as Record<string, unknown>
  expect(out).toMatchObject({ command: 'verify', verified: false, missing: [], 'exit-code': 4 })
  expect(`error: ${out.error}`).toMatch(REPORT)
})
