// dist/ as users get it: one build that the action (dist/index.js) and the CLI (dist/cli.js) both
// load, run on the Node this test run is for, loading the chunks only when a command needs them, and
// the npm package made from it, run through npx.
//
// scripts/test.sh runs this suite twice: OBM_TEST_RUNTIME=minimum on the lowest Node package.json's
// engines claims, OBM_TEST_RUNTIME=declared on the Node action.yml runs the action on. The bundles
// are spawned with the Node running the tests (process.execPath).
import { execFileSync, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { runAction, runCli } from '../../__fixtures__/action-runner.js'
import { copyFixtureLayout, FIXTURE } from '../../__fixtures__/layout.js'
import { declaredMajor } from '../../scripts/action-node.mjs'

const RUNTIME = process.env.OBM_TEST_RUNTIME ?? 'minimum'
const PKG = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; engines: { node: string } }
const DIST = resolve('dist')
const RECORDER = resolve('__fixtures__', 'load-recorder.mjs')
const SBOM = resolve('__fixtures__', 'sbom', 'spdx-2.3.json')

/** The major this run must be on: action.yml's `using: nodeNN`, or the lowest in `engines` (`>=20`). */
function expectedMajor(): number {
  if (RUNTIME === 'declared') return declaredMajor()
  if (RUNTIME !== 'minimum') throw new Error(`OBM_TEST_RUNTIME is minimum or declared, not ${RUNTIME}`)
  const m = /^>=\s*(\d+)(\.\d+){0,2}$/.exec(PKG.engines.node)
  if (!m) throw new Error(`package.json engines.node is not ">=N": ${PKG.engines.node}`)
  return Number(m[1])
}

/** `Node.js vX.Y.Z` from the debug line both entries print first: the Node that ran the bundle. */
function reportedNode(output: string): string | undefined {
  return new RegExp(`oci-build-metadata ${PKG.version.replace(/\./g, '\\.')}, Node\\.js (v\\d+\\.\\d+\\.\\d+)`).exec(output)?.[1]
}

/** The files of dist/ that a run loaded, in load order, relative to dist/. */
async function loaded(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(f => f.startsWith(`${DIST}/`))
    .map(f => f.slice(DIST.length + 1))
}

test(`the bundled CLI and action run on the Node this run is for (${RUNTIME})`, async () => {
  const want = expectedMajor()
  const layout = await copyFixtureLayout()
  const cli = await runCli(['discover', `oci:${layout}:v1`, '--debug'])
  expect(cli.code).toBe(0)
  const action = await runAction({ image: `oci:${layout}:v1`, command: 'discover' })
  expect(action.code).toBe(0)
  for (const version of [reportedNode(cli.stderr), reportedNode(action.stdout)]) {
    expect(version).toBe(process.version)
    expect(version?.split('.')[0]).toBe(`v${want}`)
  }
})

test('a command that neither signs, checks a signer nor expands a glob loads its entry file and dist/bundle.js, nothing else', async () => {
  const layout = await copyFixtureLayout()
  const work = await mkdtemp(join(tmpdir(), 'obm-loads-'))
  const cliLoads = join(work, 'cli')
  const cli = await runCli(['attach', `oci:${layout}:v1`, '--sbom', SBOM, '--provenance'], { OBM_LOADED_FILES: cliLoads }, undefined, ['--import', RECORDER])
  expect(cli.stderr).toBe('')
  expect(cli.code).toBe(0)
  expect(await loaded(cliLoads)).toEqual(['cli.js', 'bundle.js'])

  const actionLoads = join(work, 'action')
  const action = await runAction(
    { image: `oci:${layout}:v1`, command: 'verify', require: 'metadata,sbom,provenance' },
    { OBM_LOADED_FILES: actionLoads },
    { nodeArgs: ['--import', RECORDER] }
  )
  expect(action.errors).toEqual([])
  expect(action.code).toBe(0)
  expect(await loaded(actionLoads)).toEqual(['index.js', 'bundle.js'])
})

test('an SBOM glob loads one chunk of dist/ on demand, and the attach goes through', async () => {
  const layout = await copyFixtureLayout()
  const work = await mkdtemp(join(tmpdir(), 'obm-loads-'))
  await mkdir(join(work, 'sbom'))
  await writeFile(join(work, 'sbom', 'app.spdx.json'), await readFile(SBOM))
  const loads = join(work, 'loads')
  const r = await runCli(['attach', `oci:${layout}:v1`, '--sbom', 'sbom/*.json', '--json'], { OBM_LOADED_FILES: loads }, work, ['--import', RECORDER])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(JSON.parse(r.stdout)['subject-digest']).toBe(FIXTURE.v1)
  const files = await loaded(loads)
  expect(files.slice(0, 2)).toEqual(['cli.js', 'bundle.js'])
  expect(files.slice(2)).toEqual([expect.stringMatching(/^\d+\.index\.js$/)])
})

/** What a chunk of dist/ holds, told by its content: the CEL library, or the age library. */
function chunkKinds(files: string[]): string[] {
  return files
    .filter(f => /^\d+\.index\.js$/.test(f))
    .map(f => readFileSync(join(DIST, f), 'utf8'))
    .flatMap(text => [...(text.includes('class CelError') ? ['cel'] : []), ...(text.includes('age-encryption.org/v1') ? ['age'] : [])])
    .sort()
}

test('a policy loads the CEL code, and a private part the age code, each only then', async () => {
  const layout = await copyFixtureLayout()
  const work = await mkdtemp(join(tmpdir(), 'obm-loads-'))
  const keyFile = join(work, 'key.txt')
  const age = await import('age-encryption')
  const identity = await age.generateIdentity()
  await writeFile(keyFile, `${identity}\n`)
  const recipient = await age.identityToRecipient(identity)

  const attachLoads = join(work, 'attach')
  const attach = await runCli(
    ['attach', `oci:${layout}:v1`, '--private', '{"ticket":"INC-1"}', '--recipients', recipient],
    { OBM_LOADED_FILES: attachLoads },
    undefined,
    ['--import', RECORDER]
  )
  expect({ code: attach.code, stderr: attach.stderr }).toEqual({ code: 0, stderr: '' })
  const attached = await loaded(attachLoads)
  expect(attached.slice(0, 2)).toEqual(['cli.js', 'bundle.js'])
  expect(chunkKinds(attached)).toEqual(['age'])

  const verifyLoads = join(work, 'verify')
  const verify = await runCli(['verify', `oci:${layout}:v1`, '--policy', 'metadata.schemaVersion == 2'], { OBM_LOADED_FILES: verifyLoads }, undefined, [
    '--import',
    RECORDER
  ])
  expect({ code: verify.code, stderr: verify.stderr }).toEqual({ code: 0, stderr: '' })
  expect(chunkKinds(await loaded(verifyLoads))).toEqual(['cel'])

  // both, through the action: a policy over the private part, with an identity
  const bothLoads = join(work, 'both')
  const both = await runAction(
    { image: `oci:${layout}:v1`, command: 'verify', require: 'metadata, private', identity: keyFile, policy: 'private.ticket.startsWith("INC-")' },
    { OBM_LOADED_FILES: bothLoads },
    { nodeArgs: ['--import', RECORDER] }
  )
  expect({ code: both.code, errors: both.errors }).toEqual({ code: 0, errors: [] })
  expect(chunkKinds(await loaded(bothLoads))).toEqual(['age', 'cel'])
})

test('the npm package holds dist/, the schema, README and LICENSE, and `npx oci-build-metadata` runs from it', async () => {
  const work = await mkdtemp(join(tmpdir(), 'obm-pack-'))
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  ) as [{ filename: string; files: { path: string }[] }]
  const files = packed.files.map(f => f.path).sort()
  const dist = readdirSync(DIST).map(f => `dist/${f}`)
  expect(files).toEqual([...dist, 'LICENSE', 'README.md', 'package.json', 'schema/build-metadata.v1.json', 'schema/build-metadata.v2.json'].sort())

  // npx as a user runs it (`npx oci-build-metadata@1`), from the tarball and an empty npm cache, offline;
  // the bin's `#!/usr/bin/env node` finds the Node of this run first on PATH
  const layout = await copyFixtureLayout()
  const env = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`, HOME: work, npm_config_cache: join(work, 'npm-cache') }
  const npx = (...args: string[]) =>
    run('npx', ['--offline', '--yes', `--package=${join(work, packed.filename)}`, '--', 'oci-build-metadata', ...args], env, work)
  const version = await npx('--version')
  expect(version).toMatchObject({ code: 0, stdout: `oci-build-metadata ${PKG.version}\n` })
  const discover = await npx('discover', `oci:${layout}:v1`, '--debug')
  expect(discover.code).toBe(0)
  expect(reportedNode(discover.stderr)).toBe(process.version)
  expect(discover.stdout).toContain(FIXTURE.v1)
})

function run(cmd: string, args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
  return new Promise(r => child.on('close', code => r({ code: code ?? -1, stdout, stderr })))
}
