/**
 * Runs the bundled action (dist/index.js) the way the GitHub runner does: inputs as INPUT_<NAME>
 * variables, outputs read from the GITHUB_OUTPUT file, the summary from GITHUB_STEP_SUMMARY, and a
 * GitHub context from GITHUB_* variables and an event file. Both bundles are spawned with the Node
 * that runs the tests (process.execPath): scripts/test.sh runs every suite that imports this file on
 * the lowest Node package.json claims, and again on the Node action.yml declares.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { SOURCES_FILE, sourcesHash } from '../scripts/sources-hash.mjs'

export const ACTION = resolve('dist/index.js')
export const CLI = resolve('dist/cli.js')

let checked = false
/** A test of the bundles must test what the sources say: refuse a dist/ built from other sources. */
export function assertBundleFresh(): void {
  if (checked) return
  const built = readFileSync(resolve('dist', SOURCES_FILE), 'utf8').trim()
  if (built !== sourcesHash()) throw new Error('dist/ was built from other sources than src/: run `npm run bundle` before the tests that run the bundle')
  checked = true
}

export interface ActionRun {
  code: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** `::error::` lines, without the prefix */
  errors: string[]
}

/** The runner's file-command format: `name<<DELIM\nvalue\nDELIM`. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] as string)
    if (!m) continue
    const [, name, delim] = m as unknown as [string, string, string]
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] as string)
    out[name] = value.join('\n')
  }
  return out
}

export const SHA = '0123456789abcdef0123456789abcdef01234567'

/** A GitHub Actions environment for a push to main in acme/widget. */
export async function githubEnv(dir: string, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const event = join(dir, 'event.json')
  await writeFile(
    event,
    JSON.stringify({
      repository: { full_name: 'acme/widget', html_url: 'https://github.com/acme/widget', license: { spdx_id: 'MIT' } },
      ref: 'refs/heads/main',
      after: SHA
    })
  )
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_WORKFLOW: 'build',
    GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/build.yml@refs/heads/main',
    GITHUB_JOB: 'image',
    // the step: `__<owner>_<repo>` for an action step without an id (`_2` for the second such step)
    GITHUB_ACTION: '__acme_oci-build-metadata',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_NAME: 'GitHub Actions 1',
    ...overrides
  }
}

export interface RunnerOptions {
  /**
   * The job's matrix leg. The runner evaluates action.yml's input defaults in the step's context, so
   * `matrix` (default `${{ toJSON(matrix) }}`) arrives as this leg's values, indented as toJSON
   * writes them, or `null` outside a matrix job.
   */
  matrix?: Record<string, unknown>
  /** the step's working directory (default: a new temp dir) */
  cwd?: string
  /** options for node before the file, e.g. `--import` of a preload */
  nodeArgs?: string[]
}

export async function runAction(inputs: Record<string, string>, env: Record<string, string> = {}, runner: RunnerOptions = {}): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'obm-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const gh = await githubEnv(dir)
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    DOCKER_CONFIG: join(dir, 'docker'),
    ...gh,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...env
  }
  childEnv.INPUT_MATRIX = runner.matrix ? JSON.stringify(runner.matrix, null, 2) : 'null'
  for (const [k, v] of Object.entries(inputs)) childEnv[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v
  assertBundleFresh()
  const child = spawn(process.execPath, [...(runner.nodeArgs ?? []), ACTION], { env: childEnv, cwd: runner.cwd ?? dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
  const code: number = await new Promise(r => child.on('close', c => r(c ?? -1)))
  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'))
  const summary = await readFile(summaryFile, 'utf8')
  const errors = stdout
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .map(l => l.replace(/^::error[^:]*::/, ''))
  return { code, stdout, stderr, outputs, summary, errors }
}

export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
  nodeArgs: string[] = []
): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBundleFresh()
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
    cwd: cwd ?? tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
  const code: number = await new Promise(r => child.on('close', c => r(c ?? -1)))
  return { code, stdout, stderr }
}
