/**
 * Shared by the bad-input tests (in-process CLI and bundled action): the working directory with its
 * bad files, snapshots proving that nothing was written, and the checks every error line must pass.
 *
 * Exit codes (DESIGN.md: "0 ok, 1 verification or gate failed, 2 bad usage or input, 3 the
 * registry could not be read or written"):
 * - 2: anything wrong with the inputs themselves, found before the target is touched: syntax of
 *   references, digests, flags, JSON, annotations, durations, booleans, and the local files the
 *   inputs name (metadata-file, sbom), which are part of the input.
 * - 1: the state of the target the inputs point at: a missing tag or repository, a digest the
 *   registry does not hold, a missing or broken OCI layout.
 * - 3: a registry that could not be asked at all: unreachable (network, TLS, proxy), refused
 *   credentials, throttled, failing. See exit-codes.itg.test.ts for the whole table.
 */
import { assertBundleFresh } from '../../__fixtures__/action-runner.js'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises'
import { freePort, startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { copyFixtureLayout } from '../../__fixtures__/layout.js'
import { pushImage } from '../../__fixtures__/builders.js'
import { target } from '../oci/remote/helpers.js'
import type { Env } from './bad-input-rows.js'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SBOM_FIXTURES = join(ROOT, '__fixtures__', 'sbom')
/** Each row must finish well within this ("within seconds": one clear line, at once). */
export const ROW_LIMIT_MS = 10_000

/** A loopback port nothing listens on (bound, then closed). */
export const closedPort = freePort

/** A working directory holding the bad files the rows name. */
export async function makeWorkdir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'obm-bad-input-'))
  await writeFile(join(dir, 'invalid.json'), '{"team": platform}')
  await writeFile(join(dir, 'array.json'), '[{"team": "platform"}]')
  await writeFile(join(dir, 'big.json'), JSON.stringify({ notes: 'x'.repeat(300 * 1024) }))
  await writeFile(join(dir, 'secret.json'), JSON.stringify({ deploy: { password: 'hunter2-correct-horse' } }))
  await mkdir(join(dir, 'a-directory'))
  await mkdir(join(dir, 'empty-layout'))
  await symlink(join(dir, 'does-not-exist.json'), join(dir, 'dangling.spdx.json'))
  await cp(join(SBOM_FIXTURES, 'not-an-sbom.json'), join(dir, 'not-an-sbom.json'))
  await cp(join(SBOM_FIXTURES, 'cyclonedx-wrong-format.json'), join(dir, 'cyclonedx-wrong-format.json'))
  await mkdir(join(dir, 'docker'))
  return dir
}

/** sha256 of every file under `dir` (relative path → digest), to prove a layout is byte-identical. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) await walk(p, r)
      else
        out[r] = createHash('sha256')
          .update(await readFile(p))
          .digest('hex')
    }
  }
  await walk(dir, '')
  return out
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
].join(', ')

/** Every repository, tag and the digest each tag names, read over the registry API (anonymous). */
export async function snapshotRegistry(url: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const catalog = (await (await fetch(`${url}/v2/_catalog`)).json()) as { repositories?: string[] }
  for (const repo of catalog.repositories ?? []) {
    const tags = (await (await fetch(`${url}/v2/${repo}/tags/list`)).json()) as { tags?: string[] | null }
    out[repo] = ''
    for (const tag of tags.tags ?? []) {
      const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: ACCEPT } })
      out[`${repo}:${tag}`] = res.headers.get('docker-content-digest') ?? `status ${res.status}`
    }
  }
  return out
}

/**
 * The checks on one error line, whatever the channel: a sentence for a person, no stack frames,
 * no leaked placeholders, no `Error:` class-name prefixes.
 */
export function badLineProblems(line: string): string[] {
  const problems: string[] = []
  if (/\bundefined\b/.test(line)) problems.push('contains "undefined"')
  if (line.includes('[object Object]')) problems.push('contains "[object Object]"')
  if (/\b(?:Type|Range|Syntax|Reference)?Error:/.test(line)) problems.push('contains an "Error:" prefix')
  if (/^\s+at\s|\bat .*\(.*:\d+:\d+\)/.test(line)) problems.push('contains a stack frame')
  if (/\bnull\b/.test(line) && !/\bgot null\b/.test(line)) problems.push('contains "null"')
  if (line.trim().length < 15) problems.push('too short to say what is wrong')
  return problems
}

export const ACTION_BUNDLE = join(ROOT, 'dist', 'index.js')
export const CLI_BUNDLE = join(ROOT, 'dist', 'cli.js')

export interface ProcessRun {
  code: number | null
  stdout: string
  stderr: string
  /** the GITHUB_OUTPUT file's content (action only) */
  outputFile: string
  /** the GITHUB_STEP_SUMMARY file's content (action only) */
  summaryFile: string
  elapsedMs: number
}

/**
 * Run a bundle as a subprocess with exactly `env` (nothing inherited but PATH), in `cwd`; for the
 * action, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY point at fresh files that are read back.
 */
export async function runBundle(
  bundle: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  opts: { stdin?: string; nodeArgs?: string[]; timeoutMs?: number } = {}
): Promise<ProcessRun> {
  const { spawn } = await import('node:child_process')
  assertBundleFresh()
  const files = await mkdtemp(join(tmpdir(), 'obm-run-'))
  const outputPath = join(files, 'output')
  const summaryPath = join(files, 'summary')
  await writeFile(outputPath, '')
  await writeFile(summaryPath, '')
  const started = Date.now()
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bundle, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GITHUB_OUTPUT: outputPath, GITHUB_STEP_SUMMARY: summaryPath, ...env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  child.stdin.end(opts.stdin ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
  const code = await new Promise<number | null>(resolve => child.on('close', c => resolve(c)))
  clearTimeout(timer)
  const elapsedMs = Date.now() - started
  const outputFile = await readFile(outputPath, 'utf8')
  const summaryFile = await readFile(summaryPath, 'utf8')
  const { rm } = await import('node:fs/promises')
  await rm(files, { recursive: true, force: true })
  return { code, stdout, stderr, outputFile, summaryFile, elapsedMs }
}

/** `INPUT_<NAME>` as the runner sets it: upper-cased, spaces → `_`, dashes kept. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(inputs)) out[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v
  return out
}

/** What every bad-input table runs against, and its state before any row ran. */
export interface World {
  dist: Distribution
  env: Env
  registryBefore: Record<string, string>
  layoutBefore: Record<string, string>
  close(): Promise<void>
}

/** A real distribution holding `app:v1`, a fixture layout and a workdir of bad files; snapshots taken. */
export async function arrangeWorld(seed: string): Promise<World> {
  const dist = await startDistribution()
  const pushed = await pushImage(target(dist.host, 'app'), seed, 'v1')
  const layout = await copyFixtureLayout()
  const env: Env = { host: dist.host, digest: pushed.digest, layout, closed: await closedPort(), work: await makeWorkdir() }
  return {
    dist,
    env,
    registryBefore: await snapshotRegistry(dist.url),
    layoutBefore: await snapshotDir(layout),
    close: async () => {
      await dist.stop()
      await Promise.all([rm(env.layout, { recursive: true, force: true }), rm(env.work, { recursive: true, force: true })])
    }
  }
}
