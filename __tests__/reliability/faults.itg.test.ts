/**
 * Faults, through the whole attach/verify flow: the in-process registry's fault modes and
 * the fault proxy in front of the real distribution registry. Each case ends in success after
 * bounded retries or in one clear error line, and never in a half-written state: a manifest is
 * pushed only after its blobs exist (checked on the registry's request log) and whatever the
 * referrers API or the fallback index lists has all its blobs.
 */
import { join } from 'node:path'
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { startFaultProxy, type FaultProxy } from '../../__fixtures__/fault-proxy.js'
import { startTestRegistry, type RecordedRequest, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { cliMain } from '../../src/cli-main.js'
import { parseInputs } from '../../src/inputs.js'
import type { Inputs } from '../../src/inputs.js'
import { silentLogger, type Logger } from '../../src/log.js'
import { MediaType } from '../../src/oci/media-types.js'
import type { ImageRef } from '../../src/oci/reference.js'
import { RemoteTarget, type RemoteOptions } from '../../src/oci/remote/remote-target.js'
import { run, type AttachResult, type RunDeps } from '../../src/run.js'
import { resultOf } from '../run/helpers.js'
import { pushImage as pushImageRemote, storeImage, testImage } from '../../__fixtures__/builders.js'
import { target as remoteTarget } from '../oci/remote/helpers.js'

const SBOM = join(process.cwd(), '__fixtures__/sbom/spdx-2.3.json')
const USER = { username: 'ci-user', password: 'ci-pass-9f3k' }
const ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_WORKFLOW: 'build',
  GITHUB_JOB: 'build',
  GITHUB_RUN_ID: '77',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567'
}

/** Remote targets with short timeouts and backoff so faults are ridden out in test time. */
function opener(o: Partial<RemoteOptions> = {}): NonNullable<RunDeps['openTarget']> {
  return (ref: ImageRef, inputs: Inputs, logger: Logger) =>
    new RemoteTarget(ref, {
      ...(inputs.username && inputs.password ? { credentials: { username: inputs.username, password: inputs.password } } : {}),
      logger,
      env: {},
      retries: 4,
      backoffBaseMs: 20,
      timeoutMs: 5_000,
      ...o
    })
}

function deps(o: Partial<RemoteOptions> = {}): RunDeps {
  return { logger: silentLogger, env: ENV, cwd: process.cwd(), openTarget: opener(o), settleMs: 300 }
}

function inputs(image: string, extra: Record<string, string> = {}): Inputs {
  return parseInputs({ image, command: 'attach', summary: 'false', 'verify-timeout': '5', ...extra })
}

async function cli(argv: string[], o: Partial<RemoteOptions> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await cliMain(
    argv,
    { stdout: s => (stdout += s), stderr: s => (stderr += s), env: ENV, cwd: process.cwd() },
    { openTarget: opener(o), settleMs: 300 }
  )
  return { code, stdout, stderr }
}

/** One clear error line: names the operation and the repository, says what to do, no internals. */
function expectClearError(stderr: string, op: RegExp): string {
  const lines = stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  const line = lines[0]!
  expect(line).toMatch(/^error: /)
  expect(line).toMatch(op)
  expect(line).toMatch(/retry|check|raise|re-run|remove|use |set |run |do not trust/i)
  expect(line).not.toMatch(/\n\s+at |undefined|\[object Object\]|Error:/)
  expect(line).not.toContain(USER.password)
  return line
}

// ---- half-written checks ---------------------------------------------------------------------

function isBlobDone(r: RecordedRequest, repo: string, digest: string): boolean {
  if (r.status === 0 || r.status >= 300) return false
  if (r.method === 'PUT' && r.path.startsWith(`/v2/${repo}/blobs/uploads/`) && r.query.digest === digest) return true
  if ((r.method === 'HEAD' || r.method === 'GET') && r.path === `/v2/${repo}/blobs/${digest}`) return true
  if (r.method === 'POST' && r.path === `/v2/${repo}/blobs/uploads/` && r.status === 201 && r.query.digest === digest) return true // single-request upload
  return r.method === 'POST' && r.path === `/v2/${repo}/blobs/uploads/` && r.query.mount === digest
}

interface ManifestView {
  config?: { digest: string }
  layers?: Array<{ digest: string }>
  manifests?: Array<{ digest: string }>
}

/**
 * Every manifest PUT the registry accepted came after its blobs were known to exist (uploaded,
 * mounted or found), and every index PUT after its children; `preexisting` were arranged directly.
 */
function expectBlobsBeforeManifests(
  requests: RecordedRequest[],
  repo: string,
  getManifest: (ref: string) => Uint8Array | undefined,
  preexisting: Set<string>
): number {
  let checked = 0
  for (const [i, r] of requests.entries()) {
    if (r.method !== 'PUT' || !r.path.startsWith(`/v2/${repo}/manifests/`) || r.status < 200 || r.status >= 300) continue
    const ref = r.path.slice(`/v2/${repo}/manifests/`.length)
    const bytes = getManifest(ref)
    if (!bytes) continue
    const m = JSON.parse(new TextDecoder().decode(bytes)) as ManifestView
    const before = requests.slice(0, i)
    for (const b of [...(m.config ? [m.config] : []), ...(m.layers ?? [])]) {
      if (preexisting.has(b.digest)) continue
      expect({ manifest: ref, blob: b.digest, uploadedBefore: before.some(q => isBlobDone(q, repo, b.digest)) }).toMatchObject({ uploadedBefore: true })
    }
    for (const c of m.manifests ?? []) {
      if (preexisting.has(c.digest)) continue
      const pushed = before.some(q => q.method === 'PUT' && q.path === `/v2/${repo}/manifests/${c.digest}` && q.status >= 200 && q.status < 300)
      expect({ index: ref, child: c.digest, pushedBefore: pushed }).toMatchObject({ pushedBefore: true })
    }
    checked++
  }
  return checked
}

/** Whatever a consumer can find (referrers API, else the fallback index) has all its blobs. */
async function expectListedComplete(base: string, repo: string, subject: string, auth?: string): Promise<number> {
  const headers: Record<string, string> = { accept: MediaType.ImageIndex, ...(auth ? { authorization: auth } : {}) }
  let listed: Array<{ digest: string }> = []
  const api = await fetch(`${base}/v2/${repo}/referrers/${subject}`, { headers })
  if (api.status === 200) listed = ((await api.json()) as { manifests: Array<{ digest: string }> }).manifests
  else {
    await api.arrayBuffer()
    const tag = await fetch(`${base}/v2/${repo}/manifests/${subject.replace(':', '-')}`, { headers })
    if (tag.status === 200) listed = ((await tag.json()) as { manifests: Array<{ digest: string }> }).manifests
    else await tag.arrayBuffer()
  }
  for (const d of listed) {
    const m = await fetch(`${base}/v2/${repo}/manifests/${d.digest}`, { headers: { ...headers, accept: MediaType.ImageManifest } })
    expect({ listed: d.digest, status: m.status }).toEqual({ listed: d.digest, status: 200 })
    const view = (await m.json()) as ManifestView
    for (const b of [...(view.config ? [view.config] : []), ...(view.layers ?? [])]) {
      const h = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD', headers })
      expect({ listed: d.digest, blob: b.digest, status: h.status }).toEqual({ listed: d.digest, blob: b.digest, status: 200 })
    }
  }
  return listed.length
}

// ---- the in-process registry -------------------------------------------------------------------

describe.each([
  ['referrers API', true],
  ['tag schema', false]
])('in-process registry (%s)', (_name, referrersApi) => {
  let reg: TestRegistry
  beforeAll(async () => {
    reg = await startTestRegistry({ referrersApi })
  })
  afterAll(async () => {
    await reg?.close()
  })
  afterEach(() => {
    reg.clearFaults()
  })

  let n = 0
  /** a fresh repository with a small image arranged directly (no HTTP) */
  function arrange(): { repo: string; digest: string; ref: string; pre: Set<string> } {
    const repo = `faults/${referrersApi ? 'api' : 'tags'}-${++n}`
    const pre = new Set(testImage(repo).blobs.map(b => b.descriptor.digest))
    const digest = storeImage(reg, repo, repo, 'v1')
    reg.resetRequests()
    return { repo, digest, ref: `${reg.host}/${repo}@${digest}`, pre }
  }
  const getter = (repo: string) => (ref: string) => reg.getManifest(repo, ref)?.bytes

  async function attachOk(extra: Record<string, string> = {}, o: Partial<RemoteOptions> = {}): Promise<{ result: AttachResult; repo: string; digest: string }> {
    const a = arrange()
    const result = resultOf(await run(inputs(a.ref, { sbom: SBOM, ...extra }), deps(o)), 'attach')
    expect(result.problems).toEqual([])
    expect(result.verified).toBe(true)
    expect(result.attachments).toHaveLength(2)
    expect(expectBlobsBeforeManifests(reg.requests, a.repo, getter(a.repo), a.pre)).toBeGreaterThanOrEqual(2)
    expect(await expectListedComplete(reg.url, a.repo, a.digest)).toBeGreaterThanOrEqual(2)
    return { result, ...a }
  }

  test('429 with Retry-After on the manifest PUT: waits as told, then succeeds', async () => {
    reg.addFault({
      match: { method: 'PUT', path: /\/manifests\/sha256:/ },
      status: 429,
      headers: { 'Retry-After': '1' },
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
    })
    const t0 = Date.now()
    await attachOk()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
    expect(reg.requests.filter(r => r.status === 429)).toHaveLength(1)
  })

  test('bursts of 500, 502 and 503 on uploads, manifests and reads are ridden out', async () => {
    reg.addFault({ match: { method: 'POST', path: /\/blobs\/uploads\/$/ }, status: 503, times: 2 })
    reg.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256:/ }, status: 502, times: 2 })
    reg.addFault({ match: { method: 'GET', path: /\/(referrers|manifests)\// }, status: 500, times: 2 })
    await attachOk()
    expect(reg.requests.filter(r => r.status >= 500).length).toBeGreaterThanOrEqual(4)
  })

  test('connection reset in the middle of a blob upload: a new session, then success', async () => {
    reg.addFault({ match: { method: 'PUT', path: /\/blobs\/uploads\/.+/ }, resetConnection: true })
    await attachOk()
    expect(reg.requests.some(r => r.method === 'PUT' && r.path.includes('/blobs/uploads/') && r.status === 0)).toBe(true)
  })

  test('a truncated manifest body is read again', async () => {
    reg.addFault({ match: { method: 'GET', path: /\/manifests\// }, truncateBody: true })
    await attachOk()
  })

  test('an answer slower than the request timeout: timed out, retried, success', async () => {
    reg.addFault({ match: { path: /\/manifests\// }, delayMs: 1_500 })
    const t0 = Date.now()
    await attachOk({}, { timeoutMs: 400 })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400) // the first answer was waited for, then given up on
    expect(Date.now() - t0).toBeLessThan(15_000)
  })

  test('persistent 503 on the artifact manifest PUT: one clear error, and nothing listed whose blobs are missing', async () => {
    const a = arrange()
    reg.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256:/ }, status: 503, times: 100 })
    const { code, stderr } = await cli(['attach', '--image', a.ref, '--sbom', SBOM, '--verify-timeout', '5'], { retries: 2 })
    expect(code).toBe(3)
    expectClearError(stderr, /push manifest sha256:[0-9a-f]{64} to 127\.0\.0\.1:\d+\/faults\/.*registry error \(503\)/)
    reg.clearFaults()
    // (the other artifact's PUT may still land after the error: whatever is listed must be complete)
    await new Promise(res => setTimeout(res, 300))
    await expectListedComplete(reg.url, a.repo, a.digest)
    expectBlobsBeforeManifests(reg.requests, a.repo, getter(a.repo), a.pre)
  })

  test('a blob upload that keeps failing: one clear error, no manifest pushed at all', async () => {
    const a = arrange()
    reg.addFault({ match: { method: 'PUT', path: /\/blobs\/uploads\/.+/ }, resetConnection: true, times: 100 })
    const { code, stderr } = await cli(['attach', '--image', a.ref, '--sbom', SBOM], { retries: 1 })
    expect(code).toBe(3)
    expectClearError(stderr, /push blob sha256:[0-9a-f]{64} to 127\.0\.0\.1:\d+\/faults\/.*network error/)
    expect(reg.requests.filter(r => r.method === 'PUT' && r.path.startsWith(`/v2/${a.repo}/manifests/`))).toEqual([])
    reg.clearFaults()
    expect(await expectListedComplete(reg.url, a.repo, a.digest)).toBe(0)
  })

  test('content that does not match its digest (subject manifest): one clear error, nothing written', async () => {
    const a = arrange()
    reg.addFault({ match: { method: 'GET', path: new RegExp(`/manifests/${a.digest}$`) }, corruptBody: true, times: 100 })
    // a HEAD that does not say enough forces the GET; either way the corrupted bytes are refused
    reg.addFault({ match: { method: 'HEAD', path: /\/manifests\// }, status: 405, times: 100 })
    const { code, stderr } = await cli(['attach', '--image', a.ref])
    expect(code).toBe(1)
    const line = expectClearError(stderr, new RegExp(`${a.digest}|digest`))
    expect(line).toMatch(/do not trust|does not match|mismatch/i)
    expect(reg.requests.filter(r => r.path.startsWith(`/v2/${a.repo}/`) && (r.method === 'PUT' || r.method === 'POST' || r.method === 'PATCH'))).toEqual([])
  })

  test('verify rides out 503s and a truncated body, and reports what it found', async () => {
    const { result: attached, repo, digest } = await attachOk()
    reg.addFault({ match: { method: 'GET' }, status: 503, times: 2 })
    reg.addFault({ match: { method: 'GET', path: /\/manifests\// }, truncateBody: true })
    const v = resultOf(await run(inputs(`${reg.host}/${repo}@${digest}`, { command: 'verify', require: 'metadata,sbom' }), deps()), 'verify')
    expect(v.verified).toBe(true)
    expect(v.referrers.map(r => r.digest)).toContain(attached.artifactDigest)
  })
})

describe('in-process registry with Bearer tokens that expire mid-run', () => {
  let reg: TestRegistry
  beforeAll(async () => {
    reg = await startTestRegistry({ referrersApi: false, auth: { kind: 'bearer', ...USER, tokenTtlSeconds: 1 } })
  })
  afterAll(async () => {
    await reg?.close()
  })

  test('attach and verify re-authenticate when the token expires; the password appears nowhere', async () => {
    const repo = 'faults/token'
    const digest = storeImage(reg, repo, repo, 'v1')
    // slow the run down past the token lifetime
    reg.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256:/ }, delayMs: 1_300 })
    const creds = { username: USER.username, password: USER.password }
    const r = resultOf(await run(inputs(`${reg.host}/${repo}@${digest}`, { sbom: SBOM, ...creds }), deps()), 'attach')
    expect(r.problems).toEqual([])
    expect(r.verified).toBe(true)
    expect(reg.tokenRequests.length).toBeGreaterThanOrEqual(2) // a fresh token after expiry
    await new Promise(res => setTimeout(res, 1_100))
    const v = resultOf(await run(inputs(`${reg.host}/${repo}@${digest}`, { command: 'verify', require: 'metadata,sbom', ...creds }), deps()), 'verify')
    expect(v.verified).toBe(true)
    expect(JSON.stringify([r, v])).not.toContain(USER.password)
  })

  test('wrong password: one clear error naming the repository and what to do', async () => {
    const repo = 'faults/token'
    const { code, stderr } = await cli(['attach', '--image', `${reg.host}/${repo}:v1`, '--username', USER.username, '--password', 'wrong-pass-x1'])
    expect(code).toBe(3)
    expectClearError(stderr, /127\.0\.0\.1:\d+\/faults\/token/)
    expect(stderr).not.toContain('wrong-pass-x1')
  })
})

// ---- the real distribution behind the fault proxy -------------------------------------------------

describe('distribution behind the fault proxy', () => {
  let dist: Distribution
  let proxy: FaultProxy
  beforeAll(async () => {
    dist = await startDistribution()
    proxy = await startFaultProxy(dist.url)
  })
  afterAll(async () => {
    await proxy?.close()
    await dist?.stop()
  })
  afterEach(() => proxy.clearFaults())

  let n = 0
  async function arrange(): Promise<{ repo: string; digest: string; ref: string }> {
    const repo = `faults/dist-${++n}`
    const d = await pushImageRemote(remoteTarget(dist.host, repo), repo, 'v1')
    proxy.requests.length = 0
    return { repo, digest: d.digest, ref: `${proxy.host}/${repo}@${d.digest}` }
  }
  const getter = (_repo: string) => {
    const cache = new Map<string, Uint8Array>()
    return { cache, get: (ref: string) => cache.get(ref) }
  }
  async function fill(repo: string, g: ReturnType<typeof getter>): Promise<void> {
    for (const r of proxy.requests) {
      if (r.method !== 'PUT' || !r.path.startsWith(`/v2/${repo}/manifests/`) || r.status >= 300) continue
      const ref = r.path.slice(`/v2/${repo}/manifests/`.length)
      const got = await fetch(`${dist.url}/v2/${repo}/manifests/${ref}`, { headers: { accept: `${MediaType.ImageManifest}, ${MediaType.ImageIndex}` } })
      if (got.status === 200) g.cache.set(ref, new Uint8Array(await got.arrayBuffer()))
      else await got.arrayBuffer()
    }
  }

  test('429 + Retry-After, 500/502/503 bursts, a reset upload and a truncated body: success, blobs before manifests', async () => {
    const a = await arrange()
    proxy.addFault({ match: { method: 'HEAD', path: /\/manifests\// }, status: 429, headers: { 'Retry-After': '1' } })
    proxy.addFault({ match: { method: 'POST', path: /\/blobs\/uploads\/$/ }, status: 503, times: 2 })
    proxy.addFault({ match: { method: 'PUT', path: /\/blobs\/uploads\/.+/ }, resetConnection: true })
    proxy.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256:/ }, status: 502 })
    proxy.addFault({ match: { method: 'GET', path: /\/manifests\// }, truncateBody: true })
    const r = resultOf(await run(inputs(a.ref, { sbom: SBOM }), deps()), 'attach')
    expect(r.problems).toEqual([])
    expect(r.verified).toBe(true)
    const g = getter(a.repo)
    await fill(a.repo, g)
    expect(expectBlobsBeforeManifests(proxy.requests, a.repo, g.get, new Set())).toBeGreaterThanOrEqual(3)
    expect(await expectListedComplete(dist.url, a.repo, a.digest)).toBe(2)
  })

  test('distribution under load: transient 500 on the index tag PUT and 400 MANIFEST_BLOB_UNKNOWN are retried', async () => {
    const a = await arrange()
    proxy.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256-/ }, status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"unknown error"}]}' })
    proxy.addFault({
      match: { method: 'PUT', path: /\/manifests\/sha256-/ },
      status: 400,
      body:
        '{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to ' +
        'registry","detail":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}]}'
    })
    proxy.addFault({
      match: { method: 'PUT', path: /\/manifests\/sha256:/ },
      status: 400,
      body: '{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]}'
    })
    const r = resultOf(await run(inputs(a.ref), deps()), 'attach')
    expect(r.problems).toEqual([])
    expect(r.verified).toBe(true)
    const tagPuts = proxy.requests.filter(q => q.method === 'PUT' && q.path.includes('/manifests/sha256-'))
    expect(tagPuts.map(q => q.status)).toEqual([500, 400, 201])
    // every tag PUT was computed from its own fresh read
    for (const p of tagPuts) {
      const i = proxy.requests.indexOf(p)
      expect(proxy.requests[i - 1]).toMatchObject({ method: 'GET', path: expect.stringContaining('/manifests/sha256-') })
    }
    expect(await expectListedComplete(dist.url, a.repo, a.digest)).toBe(1)
  })

  test('an index tag PUT that keeps failing: one clear error, the artifact was pushed complete but is not listed', async () => {
    const a = await arrange()
    proxy.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256-/ }, status: 500, times: 100 })
    const { code, stderr } = await cli(['attach', '--image', a.ref])
    expect(code).toBe(3)
    expectClearError(stderr, /push manifest sha256-[0-9a-f]{64} to 127\.0\.0\.1:\d+\/faults\/dist-\d+: registry error \(500\)/)
    expect(await expectListedComplete(dist.url, a.repo, a.digest)).toBe(0)
  })

  test('content not matching its digest from the proxy: one clear error, nothing written', async () => {
    const a = await arrange()
    proxy.addFault({ match: { method: 'HEAD', path: /\/manifests\// }, status: 405, times: 100 })
    proxy.addFault({ match: { method: 'GET', path: new RegExp(`/manifests/${a.digest}$`) }, corruptBody: true, times: 100 })
    const { code, stderr } = await cli(['attach', '--image', a.ref])
    expect(code).toBe(1)
    expectClearError(stderr, /digest/)
    expect(proxy.requests.filter(r => r.method === 'PUT' || r.method === 'POST' || r.method === 'PATCH')).toEqual([])
  })

  test('an answer slower than the timeout from distribution: retried, success', async () => {
    const a = await arrange()
    proxy.addFault({ match: { method: 'GET', path: /\/manifests\/sha256-/ }, delayMs: 1_500 })
    const r = resultOf(await run(inputs(a.ref), deps({ timeoutMs: 400 })), 'attach')
    expect(r.verified).toBe(true)
  })
})
