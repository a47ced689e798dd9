/** Transport behaviour under scripted faults: retries, Retry-After, resets, redirects, corruption, limits. */
import { resolveIn } from '../../../__fixtures__/layout.js'
import { describeError, type OciError } from '../../../src/errors.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startTestRegistry, type TestRegistry } from '../../../__fixtures__/registry/index.js'
import { digestOf } from '../../../src/oci/digest.js'
import { MediaType } from '../../../src/oci/media-types.js'
import { MAX_MANIFEST_BYTES } from '../../../src/oci/limits.js'
import { bytesOf, pushImage } from '../../../__fixtures__/builders.js'
import { target } from './helpers.js'

const USER = { username: 'ci-user', password: 'ci-pass-123' }
let reg: TestRegistry
let dir: string
beforeAll(async () => {
  reg = await startTestRegistry({ maxManifestBytes: 8 * 1024 * 1024 })
  dir = await mkdtemp(join(tmpdir(), 'remote-faults-'))
})
afterAll(async () => {
  await reg?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  reg.clearFaults()
  reg.resetRequests()
})

describe('retries', () => {
  test('429 with Retry-After: waits as told, then succeeds', async () => {
    const t = target(reg.host, 'rl')
    const d = await pushImage(t, 'rl')
    reg.addFault({
      match: { method: 'GET', path: /\/manifests\// },
      status: 429,
      headers: { 'Retry-After': '1' },
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
    })
    const started = Date.now()
    const m = await t.fetchManifest(d.digest)
    expect(m.descriptor.digest).toBe(d.digest)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(t.requestCount.byKind['manifest.get']).toBe(2)
  })

  test('a burst of 503s is ridden out', async () => {
    const t = target(reg.host, 'burst')
    const d = await pushImage(t, 'burst')
    reg.addFault({ match: { method: 'GET', path: /\/manifests\// }, status: 503, times: 3 })
    expect((await resolveIn(t, 'latest')).digest).toBe(d.digest)
    expect(t.requestCount.byKind['manifest.get']).toBe(4)
  })

  test('retries are bounded: SERVER_ERROR after retries + 1 attempts', async () => {
    const t = target(reg.host, 'bounded', { retries: 2 })
    reg.addFault({ match: { path: /\/manifests\// }, status: 502, times: 10 })
    const err = await resolveIn(t, 'latest').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'SERVER_ERROR', status: 502 })
    expect((err as OciError).message).toContain(`fetch manifest latest from ${reg.host}/bounded: registry error (502)`)
    expect(t.requestCount.byKind['manifest.get']).toBe(3)
  })

  test('a manifest PUT by digest is retried; a PUT by tag is not', async () => {
    const t = target(reg.host, 'putretry')
    await pushImage(t, 'pr', 'v1')
    const m = await t.fetchManifest('v1')
    reg.addFault({ match: { method: 'PUT', path: /\/manifests\// }, status: 503 })
    await t.pushManifest(m.bytes, m.descriptor.mediaType)
    expect(t.requestCount.byKind['manifest.put']).toBe(1 + 2)
    reg.addFault({ match: { method: 'PUT', path: /\/manifests\// }, status: 503 })
    await expect(t.pushManifest(m.bytes, m.descriptor.mediaType, 'v2')).rejects.toMatchObject({ code: 'SERVER_ERROR' })
    expect(t.requestCount.byKind['manifest.put']).toBe(1 + 2 + 1)
  })

  test('a 400 is not retried', async () => {
    const t = target(reg.host, 'noretry')
    reg.addFault({ match: { path: /\/manifests\// }, status: 400, times: 5, body: '{"errors":[{"code":"MANIFEST_INVALID","message":"bad"}]}' })
    await expect(t.fetchManifest('latest')).rejects.toMatchObject({ code: 'UNSUPPORTED', registryErrors: [{ code: 'MANIFEST_INVALID', message: 'bad' }] })
    expect(t.requestCount.byKind['manifest.get']).toBe(1)
  })

  test('a connection reset on a read is retried', async () => {
    const t = target(reg.host, 'resetread')
    const d = await pushImage(t, 'rr')
    reg.addFault({ match: { method: 'GET', path: /\/manifests\// }, resetConnection: true })
    expect((await t.fetchManifest(d.digest)).descriptor.digest).toBe(d.digest)
  })

  test('a body cut short is retried (network error, not a digest mismatch)', async () => {
    const t = target(reg.host, 'trunc')
    const bytes = randomBytes(64 * 1024)
    const d = await t.pushBlob({ bytes })
    reg.addFault({ match: { method: 'GET', path: /\/blobs\// }, truncateBody: true })
    expect(Buffer.from(await t.fetchBlob(d)).equals(bytes)).toBe(true)
    expect(t.requestCount.byKind['blob.get']).toBe(2)
  })

  test('no answer within the timeout → TIMEOUT', async () => {
    const t = target(reg.host, 'slow', { timeoutMs: 200, retries: 1 })
    reg.addFault({ match: { method: 'GET', path: /\/manifests\// }, delayMs: 1000, times: 2 })
    const err = await resolveIn(t, 'latest').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'TIMEOUT' })
    expect((err as OciError).message).toMatch(/no answer from 127\.0\.0\.1:\d+ within 200 ms, after 2 tries$/)
  })

  test('nothing listening → NETWORK, naming the registry', async () => {
    const { createServer } = await import('node:net')
    const s = createServer()
    await new Promise<void>(r => s.listen(0, '127.0.0.1', r))
    const port = (s.address() as { port: number }).port
    await new Promise(r => s.close(r))
    const t = target(`127.0.0.1:${port}`, 'none', { retries: 1 })
    const err = await resolveIn(t, 'latest').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'NETWORK' })
    expect(describeError(err)).toMatch(new RegExp(`network error \\(ECONNREFUSED\\), after 2 tries\\. Check that 127.0.0.1:${port} is reachable`))
  })
})

describe('uploads', () => {
  test('connection reset mid-upload: a new session completes it', async () => {
    const t = target(reg.host, 'resetup')
    const path = join(dir, 'reset.bin')
    const bytes = randomBytes(2 * 1024 * 1024)
    await writeFile(path, bytes)
    reg.addFault({ match: { method: 'PUT', path: /\/blobs\/uploads\// }, resetConnection: true })
    const d = await t.pushBlob({ path })
    expect(d.digest).toBe(digestOf(bytes))
    expect(Buffer.from(await t.fetchBlob(d)).equals(bytes)).toBe(true)
    expect(t.requestCount.byKind['blob.upload.start']).toBe(2)
  })

  test('503 on upload start is retried (the POST has no effect until completed)', async () => {
    const t = target(reg.host, 'poststart')
    reg.addFault({ match: { method: 'POST' }, status: 503, times: 2 })
    const d = await t.pushBlob({ bytes: bytesOf('post retry') })
    expect(Buffer.from(await t.fetchBlob(d)).equals(bytesOf('post retry'))).toBe(true)
    expect(t.requestCount.byKind['blob.upload.start']).toBe(3)
  })

  test('monolithic PUT refused (413) → chunked PATCH upload', async () => {
    const t = target(reg.host, 'chunked')
    const bytes = randomBytes(100 * 1024)
    reg.addFault({ match: { method: 'PUT', path: /\/blobs\/uploads\// }, status: 413 })
    const d = await t.pushBlob({ bytes })
    expect(t.requestCount.byKind['blob.upload.patch']).toBe(1)
    expect(Buffer.from(await t.fetchBlob(d)).equals(bytes)).toBe(true)
  })

  test('OCI-Chunk-Min-Length on upload start → chunked upload', async () => {
    const t = target(reg.host, 'minchunk')
    const bytes = randomBytes(1000)
    // the registry's answer to POST, scripted with the header (the session it names is real)
    const start = await fetch(`${reg.url}/v2/minchunk/blobs/uploads/`, { method: 'POST' })
    const location = start.headers.get('location')!
    reg.addFault({ match: { method: 'POST' }, status: 202, headers: { Location: location, 'OCI-Chunk-Min-Length': '512' } })
    const d = await t.pushBlob({ bytes })
    expect(t.requestCount.byKind['blob.upload.patch']).toBe(1)
    expect(Buffer.from(await t.fetchBlob(d)).equals(bytes)).toBe(true)
  })
})

describe('integrity and limits', () => {
  test('a corrupted blob body → DIGEST_MISMATCH', async () => {
    const t = target(reg.host, 'corrupt')
    const d = await t.pushBlob({ bytes: randomBytes(4096) })
    reg.addFault({ match: { method: 'GET', path: /\/blobs\// }, corruptBody: true })
    await expect(t.fetchBlob(d)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  })

  test('a corrupted manifest by tag → DIGEST_MISMATCH against Docker-Content-Digest', async () => {
    const t = target(reg.host, 'corruptm')
    await pushImage(t, 'cm')
    reg.addFault({ match: { method: 'GET', path: /\/manifests\// }, corruptBody: true })
    const err = await t.fetchManifest('latest').catch(e => e)
    expect(err.code).toBe('DIGEST_MISMATCH')
    expect(err.message).toMatch(/Docker-Content-Digest/)
  })

  test('a manifest over 4 MiB is refused when fetched', async () => {
    const t = target(reg.host, 'huge')
    const bytes = bytesOf({ schemaVersion: 2, mediaType: MediaType.ImageManifest, pad: 'x'.repeat(MAX_MANIFEST_BYTES) })
    const digest = reg.putManifest('huge', bytes, MediaType.ImageManifest, 'huge')
    await expect(t.fetchManifest('huge')).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' })
    await expect(t.fetchManifest(digest)).rejects.toMatchObject({ code: 'SIZE_EXCEEDED', message: expect.stringContaining('4194304-byte limit') })
    await expect(resolveIn(t, 'huge')).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' })
  })

  test('a manifest of exactly 4 MiB passes', async () => {
    const t = target(reg.host, 'edge')
    const head = `{"schemaVersion":2,"mediaType":"${MediaType.ImageManifest}","config":{"mediaType":"${MediaType.Empty}","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"pad":"`
    const bytes = bytesOf(`${head + 'x'.repeat(MAX_MANIFEST_BYTES - head.length - 2)}"}`)
    expect(bytes.length).toBe(MAX_MANIFEST_BYTES)
    reg.putBlob('edge', bytesOf('{}'))
    const pushed = await t.pushManifest(bytes, MediaType.ImageManifest, 'edge')
    expect((await t.fetchManifest('edge')).descriptor).toEqual(pushed.descriptor)
  })

  test("a blob over the caller's cap is refused before download", async () => {
    const t = target(reg.host, 'cap')
    const d = await t.pushBlob({ bytes: randomBytes(2048) })
    await expect(t.fetchBlob(d, 1024)).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' })
    expect(t.requestCount.byKind['blob.get']).toBeUndefined()
  })
})

describe('redirects', () => {
  let redir: TestRegistry
  beforeAll(async () => {
    redir = await startTestRegistry({ redirectBlobs: true, auth: { kind: 'bearer', ...USER } })
  })
  afterAll(async () => {
    await redir?.close()
  })

  test('blob GET follows a cross-origin redirect without Authorization', async () => {
    const t = target(redir.host, 'redir', { credentials: USER })
    const bytes = randomBytes(10_000)
    const d = await t.pushBlob({ bytes })
    expect(Buffer.from(await t.fetchBlob(d)).equals(bytes)).toBe(true)
    expect(redir.redirectRequests.length).toBeGreaterThan(0)
    expect(redir.redirectRequests.every(r => r.headers.authorization === undefined)).toBe(true)
    // the registry itself did get the token
    expect(redir.requests.some(r => r.origin === 'registry' && r.path.includes('/blobs/sha256') && r.headers.authorization?.startsWith('Bearer '))).toBe(true)
  })
})
