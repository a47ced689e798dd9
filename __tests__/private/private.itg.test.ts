/**
 * The private part end to end, through the bundled action and CLI, on both registries of
 * __fixtures__/topology.ts (distribution: the referrers tag schema; the in-process registry: the
 * referrers API). Keys are made by the age CLI (`age-keygen`, Debian's age package, which
 * scripts/test.sh installs), so both directions of interoperability are covered: our encryption read
 * by `age -d`, and age's keys read by us.
 *
 * What the world sends: a workflow gives `private` as JSON from its secrets, `recipients` as the
 * public keys of the teams that may read it, and a release job gives an identity file (or
 * OCI_BUILD_METADATA_IDENTITY from a secret). Anyone who can pull the image reads the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { runAction, runCli } from '../../__fixtures__/action-runner.js'
import { REGISTRIES, useRegistry, type RegistryUnderTest } from '../../__fixtures__/topology.js'
import { MediaType } from '../../src/oci/media-types.js'
import { pushTestImage } from '../../__fixtures__/builders.js'

/** What must never show: the whole part as encrypted (canonical JSON) and each of its values. */
const FIELDS = { ticket: 'INC-4711-hush-ticket', customer: 'Customer ACME Internal Ltd', host: 'build-17.corp.internal' }
const PLAINTEXT = JSON.stringify(Object.fromEntries(Object.entries(FIELDS).sort(([a], [b]) => a.localeCompare(b))))
const b64 = (s: string) => Buffer.from(s).toString('base64')
/** Every form of the private part a leak could take: the text, each value, and base64 of each. */
const FORBIDDEN = [PLAINTEXT, ...Object.values(FIELDS)].flatMap(s => [s, b64(s)])

function age(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('age', args, { input: input ?? '', encoding: 'utf8' })
  if (r.error) throw new Error(`the age CLI is missing (${r.error.message}): scripts/test.sh installs Debian's age package`)
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

interface Key {
  file: string
  recipient: string
  identity: string
}

async function keygen(dir: string, name: string): Promise<Key> {
  const file = join(dir, `${name}.key`)
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' })
  const recipient = execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim()
  const identity = (await readFile(file, 'utf8')).split('\n').find(l => l.startsWith('AGE-SECRET-KEY-'))!
  return { file, recipient, identity }
}

/** Everything a consumer can pull: every tag's manifest, every referrer, their configs and layers, annotations decoded. */
async function rawRegistryText(reg: RegistryUnderTest, repo: string, subject: string): Promise<string> {
  const base = `http://${reg.host}/v2/${repo}`
  const accept = [MediaType.ImageManifest, MediaType.ImageIndex].join(', ')
  const parts: string[] = []
  const seen = new Set<string>()
  const blob = async (digest: string) => {
    if (seen.has(digest)) return
    seen.add(digest)
    const r = await fetch(`${base}/blobs/${digest}`)
    const bytes = Buffer.from(await r.arrayBuffer())
    parts.push(bytes.toString('utf8'), bytes.toString('base64'))
  }
  const manifest = async (ref: string) => {
    const r = await fetch(`${base}/manifests/${ref}`, { headers: { accept } })
    if (r.status !== 200) return
    const text = await r.text()
    parts.push(text)
    const m = JSON.parse(text) as {
      annotations?: Record<string, string>
      config?: { digest: string }
      layers?: Array<{ digest: string }>
      manifests?: Array<{ digest: string; annotations?: Record<string, string> }>
    }
    for (const a of [m.annotations ?? {}, ...(m.manifests ?? []).map(d => d.annotations ?? {})]) {
      for (const v of Object.values(a)) {
        const raw = Buffer.from(v, 'base64')
        parts.push(raw.toString('utf8'))
        try {
          parts.push(gunzipSync(raw).toString('utf8'))
        } catch {
          // not gzip
        }
      }
    }
    if (m.config) await blob(m.config.digest)
    for (const l of m.layers ?? []) await blob(l.digest)
  }
  // every tag the registry lists (the in-process registry lists none: the tag pushed, then)
  const listing = await fetch(`${base}/tags/list`)
  const body = await listing.text()
  const tags = listing.status === 200 ? ((JSON.parse(body) as { tags?: string[] }).tags ?? []) : []
  for (const t of new Set([...tags, 'v1'])) await manifest(t)
  for (const d of await reg.referrers(repo, subject)) await manifest(d.digest)
  return parts.join('\n')
}

describe.each(REGISTRIES.map(r => [r.name, r] as const))('%s', (_name, start) => {
  const reg = useRegistry(start.start)
  let work: string
  let a: Key
  let b: Key
  let c: Key
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'obm-private-'))
    ;[a, b, c] = [await keygen(work, 'a'), await keygen(work, 'b'), await keygen(work, 'c')]
  })

  test('attach with private for two recipients: each identity decrypts it (get, and the age CLI); a third is refused in one line; the registry holds no plaintext', async () => {
    const repo = 'private/app'
    const subject = await pushTestImage(reg().host, repo, 'v1', `private-${reg().name}`)
    const image = `${reg().host}/${repo}:v1`
    const attach = await runAction({ image, private: JSON.stringify(FIELDS), recipients: `${a.recipient}\n${b.recipient}`, 'verify-timeout': '10' })
    expect({ code: attach.code, errors: attach.errors, verified: attach.outputs.verified }).toEqual({ code: 0, errors: [], verified: 'true' })
    const doc = JSON.parse(attach.outputs.metadata!) as { schemaVersion: number; private: { version: number; format: string; ciphertext: string } }
    expect(doc.schemaVersion).toBe(2)
    expect(doc.private).toMatchObject({ version: 1, format: 'age', ciphertext: expect.stringMatching(/^-----BEGIN AGE ENCRYPTED FILE-----\n/) })

    // each recipient reads it back: one with the identity file, one from the environment (as from a CI secret)
    const withA = await runCli(['get', image, '--artifact-type', 'private', '--identity', a.file])
    expect(withA).toMatchObject({ code: 0, stdout: PLAINTEXT, stderr: '' })
    const withB = await runCli(['get', image, '--artifact-type', 'private'], { OCI_BUILD_METADATA_IDENTITY: b.identity })
    expect(withB).toMatchObject({ code: 0, stdout: PLAINTEXT, stderr: '' })
    // the age CLI reads what we wrote, with the same keys; and refuses the third as we do
    expect(age(['-d', '-i', a.file], doc.private.ciphertext)).toMatchObject({ code: 0, stdout: PLAINTEXT })
    expect(age(['-d', '-i', b.file], doc.private.ciphertext)).toMatchObject({ code: 0, stdout: PLAINTEXT })
    expect(age(['-d', '-i', c.file], doc.private.ciphertext)).toMatchObject({ code: 1, stderr: expect.stringMatching(/no identity matched/) })

    // a third identity: one line, exit 1 (as age), nothing printed
    const withC = await runCli(['get', image, '--artifact-type', 'private', '--identity', c.file])
    expect(withC.code).toBe(1)
    expect(withC.stdout).toBe('')
    expect(withC.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^error: get: no identity given matches a recipient of the private part of sha256:[0-9a-f]{64} on .+:v1\. Give the identity of one of the recipients it was encrypted for\.$/
      )
    ])

    // the raw content of the registry, fetched directly: the ciphertext is there, the plaintext is not
    const raw = await rawRegistryText(reg(), repo, subject.digest)
    expect(raw).toContain('BEGIN AGE ENCRYPTED FILE')
    expect(FORBIDDEN.filter(f => raw.includes(f))).toEqual([])
  }, 90_000)

  test('nothing private reaches a log, an output, the summary or --debug: attach, verify and get, through the action and the CLI', async () => {
    const repo = 'private/leak'
    await pushTestImage(reg().host, repo, 'v1', `leak-${reg().name}`)
    const image = `${reg().host}/${repo}:v1`
    await writeFile(join(work, 'private.json'), JSON.stringify(FIELDS))
    const policy = 'private.ticket.startsWith("INC-")\nprivate.customer.endsWith("nobody")\nprivate.nosuchfield == "x"'
    const debug = { RUNNER_DEBUG: '1' }
    const runs: Array<{ label: string; text: string; masks?: string[] }> = []
    const action = async (label: string, inputs: Record<string, string>, env: Record<string, string> = {}) => {
      const r = await runAction(inputs, { ...debug, ...env }, { cwd: work })
      const lines = r.stdout.split('\n')
      // ::add-mask:: is how the runner learns what to mask: never shown, so not a leak
      const masks = lines.filter(l => l.startsWith('::add-mask::')).map(l => l.slice('::add-mask::'.length))
      runs.push({
        label,
        masks,
        text: [lines.filter(l => !l.startsWith('::add-mask::')).join('\n'), r.stderr, JSON.stringify(r.outputs), r.summary].join('\n')
      })
      return r
    }
    const cli = async (label: string, args: string[], env: Record<string, string> = {}) => {
      const r = await runCli([...args, '--debug'], env, work)
      runs.push({ label, text: `${r.stdout}\n${r.stderr}` })
      return r
    }

    const attached = await action('action attach', { image, private: JSON.stringify(FIELDS), recipients: a.recipient, 'verify-timeout': '10' })
    expect(attached.code).toBe(0)
    const cliAttach = await cli('cli attach --json', ['attach', image, '--private-file', 'private.json', '--recipients', a.recipient, '--json'])
    expect(cliAttach.code).toBe(0)
    const verify = await action('action verify', { image, command: 'verify', require: 'metadata, private', identity: a.file, policy })
    // the first condition holds, the other two do not; no value of the part is in the rows
    expect(verify.code).toBe(1)
    expect(JSON.parse(verify.outputs.missing!)).toEqual(['private.customer.endsWith("nobody")', 'private.nosuchfield == "x"'])
    const cliVerify = await cli('cli verify --json', ['verify', image, '--require', 'private', '--policy', policy, '--json'], {
      OCI_BUILD_METADATA_IDENTITY: a.identity
    })
    expect(cliVerify.code).toBe(1)
    const rows = (JSON.parse(cliVerify.stdout) as { gate: Array<{ requirement: string; found: boolean; detail: string }> }).gate
    expect(rows.map(r => [r.requirement, r.found])).toEqual([
      ['private', true],
      ['private.ticket.startsWith("INC-")', true],
      ['private.customer.endsWith("nobody")', false],
      ['private.nosuchfield == "x"', false]
    ])
    const out = join(work, 'read.json')
    const cliGet = await cli('cli get --output --json', ['get', image, '--artifact-type', 'private', '--identity', a.file, '--output', out, '--json'])
    expect(cliGet.code).toBe(0)
    expect(await readFile(out, 'utf8')).toBe(PLAINTEXT)
    const actionOut = join(work, 'action-read.json')
    const actionGet = await action('action get', { image, command: 'get', 'artifact-type': 'private', identity: a.file, output: actionOut })
    expect(actionGet.code).toBe(0)
    expect(await readFile(actionOut, 'utf8')).toBe(PLAINTEXT)

    // the runner was told to mask the part, and nothing of it shows anywhere
    for (const r of runs.filter(x => x.masks && x.label !== 'action get')) expect(r.masks).toContain(PLAINTEXT)
    expect(runs.some(r => /debug|::debug::/.test(r.text))).toBe(true)
    const leaks = runs.flatMap(r => FORBIDDEN.filter(f => r.text.includes(f)).map(f => `${r.label}: ${f}`))
    expect(leaks).toEqual([])
  }, 120_000)
})
