/** The client against Debian's CNCF distribution 2.8: no referrers API, so the tag schema. */
import { resolveIn } from '../../../__fixtures__/layout.js'
import { SMALL_BLOB_BYTES } from '../../../src/oci/remote/blobs.js'
import { describeError, type OciError } from '../../../src/errors.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startDistribution, type Distribution } from '../../../__fixtures__/distribution.js'
import { digestOf } from '../../../src/oci/digest.js'
import { MediaType } from '../../../src/oci/media-types.js'
import { editReferrersIndex, referrersTagName } from '../../../src/oci/referrer-descriptors.js'
import { parseManifest, type ImageIndex } from '../../../src/oci/types.js'
import { MAX_MANIFEST_BYTES } from '../../../src/oci/limits.js'
import { bytesOf, pushArtifact, pushImage, testImage } from '../../../__fixtures__/builders.js'
import { target } from './helpers.js'

let reg: Distribution
let dir: string
beforeAll(async () => {
  reg = await startDistribution()
  dir = await mkdtemp(join(tmpdir(), 'remote-itg-'))
})
afterAll(async () => {
  await reg?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('distribution 2.8', () => {
  test('pushes an image and resolves its tag to the digest', async () => {
    const t = target(reg.host, 'app')
    const pushed = await pushImage(t, 'one', 'v1')
    const resolved = await resolveIn(t, 'v1')
    expect(resolved).toEqual({ mediaType: MediaType.ImageManifest, digest: pushed.digest, size: pushed.size })
    const fetched = await t.fetchManifest('v1')
    expect(fetched.descriptor.digest).toBe(pushed.digest)
    expect(digestOf(fetched.bytes)).toBe(pushed.digest)
    expect(await t.manifestExists(pushed.digest)).toBe(true)
  })

  test('skips blobs the registry already has (HEAD first) when they are larger than a round trip', async () => {
    const t = target(reg.host, 'skip')
    const big = randomBytes(SMALL_BLOB_BYTES + 1)
    await t.pushBlob({ bytes: big })
    const before = t.requestCount.byKind['blob.upload.put'] ?? 0
    const d = await t.pushBlob({ bytes: big }, { mediaType: MediaType.ImageConfig })
    expect(d).toEqual({ mediaType: MediaType.ImageConfig, digest: digestOf(big), size: big.length })
    expect(t.requestCount.byKind['blob.upload.put'] ?? 0).toBe(before)
  })

  test('a small blob goes up without a HEAD: POST ?digest= (ignored by distribution 2.8), then PUT', async () => {
    const t = target(reg.host, 'small')
    const { config } = testImage('small')
    const d = await t.pushBlob({ bytes: config.bytes })
    expect(d.digest).toBe(digestOf(config.bytes))
    expect(t.requestCount.byKind['blob.head'] ?? 0).toBe(0)
    expect(t.requestCount.byKind['blob.upload.start']).toBe(1)
    expect(t.requestCount.byKind['blob.upload.put']).toBe(1)
    expect(Buffer.from(await t.fetchBlob(d)).equals(config.bytes)).toBe(true)
  })

  test('streams a file blob and fetches it back verified', async () => {
    const t = target(reg.host, 'files')
    const bytes = randomBytes(3 * 1024 * 1024 + 17)
    const path = join(dir, 'blob.bin')
    await writeFile(path, bytes)
    const d = await t.pushBlob({ path }, { mediaType: 'application/octet-stream' })
    expect(d.digest).toBe(digestOf(bytes))
    const back = await t.fetchBlob(d)
    expect(Buffer.from(back).equals(bytes)).toBe(true)
  })

  test('distribution serves no referrers API (its answer is 404): a listing reads the referrers tag', async () => {
    const t = target(reg.host, 'app')
    const subject = await pushImage(t, 'noapi')
    expect(await t.listReferrers(subject)).toEqual({ descriptors: [], via: 'tag-schema', filtersApplied: false })
  })

  test('lists referrers through the tag schema without losing a foreign entry', async () => {
    const t = target(reg.host, 'tagschema')
    const subject = await pushImage(t, 'ts')
    const art = await pushArtifact(t, subject, 'application/vnd.test.meta.v1+json', { 'org.example.k': 'v' })
    expect(art.subjectAccepted).toBe(false)
    expect(await t.listReferrers(subject)).toEqual({ descriptors: [], via: 'tag-schema', filtersApplied: false })

    // another tool's entry, already in the fallback index (distribution checks that it exists)
    const cosignType = 'application/vnd.dev.cosign.artifact.sig.v1+json'
    const pushedForeign = await pushArtifact(t, subject, cosignType)
    const foreign = { ...pushedForeign.descriptor, artifactType: cosignType, annotations: { 'dev.cosignproject.cosign/signature': 'MEUC' } }
    const first = editReferrersIndex(undefined, [foreign])
    await t.pushManifest(first.bytes, MediaType.ImageIndex, referrersTagName(subject.digest))
    const existing = parseManifest((await t.fetchManifest(referrersTagName(subject.digest))).bytes) as ImageIndex
    const second = editReferrersIndex(existing, [
      { ...art.descriptor, artifactType: 'application/vnd.test.meta.v1+json', annotations: { 'org.example.k': 'v' } }
    ])
    await t.pushManifest(second.bytes, MediaType.ImageIndex, referrersTagName(subject.digest))

    const listed = await t.listReferrers(subject)
    expect(listed.via).toBe('tag-schema')
    expect(listed.descriptors.map(d => d.digest)).toEqual([foreign.digest, art.descriptor.digest])
    const filtered = await t.listReferrers(subject, { artifactType: 'application/vnd.test.meta.v1+json' })
    expect(filtered.descriptors.map(d => d.digest)).toEqual([art.descriptor.digest])
    expect(filtered.filtersApplied).toBe(false)
  })

  test('a fallback tag that is not an index yields no referrers', async () => {
    const t = target(reg.host, 'notindex')
    const subject = await pushImage(t, 'ni')
    // another image's manifest, tagged as if it were the subject's referrers index
    await pushImage(t, 'other', referrersTagName(subject.digest))
    expect((await t.listReferrers(subject)).descriptors).toEqual([])
  })

  test('refuses a manifest over 4 MiB before sending anything', async () => {
    const t = target(reg.host, 'big')
    const big = bytesOf({ schemaVersion: 2, pad: 'x'.repeat(MAX_MANIFEST_BYTES) })
    const before = t.requestCount.total
    await expect(t.pushManifest(big, MediaType.ImageManifest, 'big')).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' })
    expect(t.requestCount.total).toBe(before)
  })

  test('a missing tag is NOT_FOUND with the operation and repository in the message', async () => {
    const t = target(reg.host, 'app')
    const err = await resolveIn(t, 'nope').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404 })
    const get = await t.fetchManifest('nope').catch(e => e)
    expect(get.message).toContain(`fetch manifest nope from ${reg.host}/app: not found (404 MANIFEST_UNKNOWN)`)
    expect(get.registryErrors[0].code).toBe('MANIFEST_UNKNOWN')
  })

  test('deletes a manifest by digest', async () => {
    const t = target(reg.host, 'del')
    const d = await pushImage(t, 'del')
    await t.deleteManifest(d.digest)
    expect(await t.manifestExists(d.digest)).toBe(false)
  })
})

describe('distribution 2.8 with htpasswd', () => {
  let auth: Distribution
  beforeAll(async () => {
    auth = await startDistribution({ htpasswd: { username: 'alice', password: 's3cret-pass' } })
  })
  afterAll(async () => {
    await auth?.stop()
  })

  test('pushes and reads with Basic credentials', async () => {
    const t = target(auth.host, 'private', { credentials: { username: 'alice', password: 's3cret-pass' } })
    const d = await pushImage(t, 'basic')
    expect((await resolveIn(t, 'latest')).digest).toBe(d.digest)
  })

  test('without credentials: UNAUTHORIZED with a docker login hint', async () => {
    const t = target(auth.host, 'private')
    const err = await resolveIn(t, 'latest').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    expect(describeError(err)).toMatch(
      new RegExp(
        `authentication required \\(401\\), and no credentials were found for ${auth.host}\\. Give username and password, or run docker login ${auth.host}\\.$`
      )
    )
  })

  test('wrong password: UNAUTHORIZED after one retry, saying the credentials given were refused and where they came from', async () => {
    const t = target(auth.host, 'private', { credentials: { username: 'alice', password: 'wrong-pass' } })
    const err = await resolveIn(t, 'latest').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'UNAUTHORIZED' })
    expect(describeError(err)).toMatch(
      new RegExp(`: the registry refused the credentials given for ${auth.host} \\(from inputs username/password\\) \\(401\\)\\. Check that they are current`)
    )
    expect(t.requestCount.byKind['manifest.get']).toBe(2)
  })

  test('credentials from DOCKER_CONFIG', async () => {
    const cfg = await mkdtemp(join(tmpdir(), 'dockercfg-'))
    await writeFile(join(cfg, 'config.json'), JSON.stringify({ auths: { [auth.host]: { auth: Buffer.from('alice:s3cret-pass').toString('base64') } } }))
    try {
      const t = target(auth.host, 'private', { env: { DOCKER_CONFIG: cfg } })
      await pushImage(t, 'cfg', 'cfg')
      expect((await resolveIn(t, 'cfg')).mediaType).toBe(MediaType.ImageManifest)
    } finally {
      await rm(cfg, { recursive: true, force: true })
    }
  })

  test('wrong credentials from DOCKER_CONFIG: the message names the config.json they came from', async () => {
    const cfg = await mkdtemp(join(tmpdir(), 'dockercfg-'))
    await writeFile(join(cfg, 'config.json'), JSON.stringify({ auths: { [auth.host]: { auth: Buffer.from('alice:stale-pass').toString('base64') } } }))
    try {
      const err = await resolveIn(target(auth.host, 'private', { env: { DOCKER_CONFIG: cfg } }), 'latest').catch((e: unknown) => e as OciError)
      expect(err).toMatchObject({ code: 'UNAUTHORIZED' })
      expect(describeError(err)).toContain(`the registry refused the credentials given for ${auth.host} (from config.json ${join(cfg, 'config.json')}) (401)`)
    } finally {
      await rm(cfg, { recursive: true, force: true })
    }
  })
})
