/** The client against the in-process registry: the referrers API, filters, pagination, capability. */
import { resolveIn } from '../../../__fixtures__/layout.js'
import { startTestRegistry, type TestRegistry } from '../../../__fixtures__/registry/index.js'
import { MediaType } from '../../../src/oci/media-types.js'
import { editReferrersIndex, referrersTagName, isIncompleteReferrer } from '../../../src/oci/referrer-descriptors.js'
import { pushArtifact, pushImage } from '../../../__fixtures__/builders.js'
import { target } from './helpers.js'

const META = 'application/vnd.test.meta.v1+json'
const SBOM = 'application/spdx+json'
const registries: TestRegistry[] = []
async function start(opts: Parameters<typeof startTestRegistry>[0] = {}): Promise<TestRegistry> {
  const r = await startTestRegistry(opts)
  registries.push(r)
  return r
}
afterAll(async () => {
  await Promise.all(registries.map(r => r.close()))
})

describe('referrers API', () => {
  let reg: TestRegistry
  beforeAll(async () => {
    reg = await start()
  })

  test('resolves a tag, pushes an artifact with subject and lists it back via the API', async () => {
    const t = target(reg.host, 'app')
    const subject = await pushImage(t, 'api', 'v1')
    expect(await resolveIn(t, 'v1')).toEqual(subject)
    const art = await pushArtifact(t, subject, META, { 'org.example.doc': 'x' })
    expect(art.subjectAccepted).toBe(true)
    const listed = await t.listReferrers(subject)
    expect(listed.via).toBe('api')
    expect(listed.descriptors).toEqual([
      {
        mediaType: MediaType.ImageManifest,
        digest: art.descriptor.digest,
        size: art.descriptor.size,
        artifactType: META,
        annotations: { 'org.example.doc': 'x' }
      }
    ])
    expect(isIncompleteReferrer(listed.descriptors[0]!)).toBe(false)
  })

  test('server-side artifactType filter is reported as applied', async () => {
    const t = target(reg.host, 'filter')
    const subject = await pushImage(t, 'f')
    await pushArtifact(t, subject, META, { a: '1' })
    await pushArtifact(t, subject, SBOM, { b: '2' })
    const listed = await t.listReferrers(subject, { artifactType: SBOM })
    expect(listed).toMatchObject({ via: 'api', filtersApplied: true })
    expect(listed.descriptors.map(d => d.artifactType)).toEqual([SBOM])
    expect(reg.requests.some(r => r.path.includes('/referrers/') && r.query.artifactType === SBOM)).toBe(true)
  })

  test('the API, once seen, is used: two listings are two referrers requests and no read of the referrers tag', async () => {
    const t = target(reg.host, 'ping')
    const subject = await pushImage(t, 'ping')
    expect((await t.listReferrers(subject)).via).toBe('api')
    expect((await t.listReferrers(subject)).via).toBe('api')
    expect(t.requestCount.byKind.referrers).toBe(2)
    expect(reg.requests.some(r => r.path.endsWith(`/manifests/${referrersTagName(subject.digest)}`))).toBe(false)
  })

  test('a foreign entry in the fallback index is not what the API lists (API wins when served)', async () => {
    const t = target(reg.host, 'both')
    const subject = await pushImage(t, 'both')
    const art = await pushArtifact(t, subject, META, { k: 'v' })
    const idx = editReferrersIndex(undefined, [{ ...art.descriptor, artifactType: META }])
    await t.pushManifest(idx.bytes, MediaType.ImageIndex, referrersTagName(subject.digest))
    const listed = await t.listReferrers(subject)
    expect(listed.via).toBe('api')
    expect(listed.descriptors.map(d => d.digest)).toContain(art.descriptor.digest)
  })
})

describe('filters not applied by the server', () => {
  test('the client filters, and says the server did not', async () => {
    const reg = await start({ honourArtifactTypeFilter: false })
    const t = target(reg.host, 'nofilter')
    const subject = await pushImage(t, 'nf')
    await pushArtifact(t, subject, META, { a: '1' })
    await pushArtifact(t, subject, SBOM, { b: '2' })
    const listed = await t.listReferrers(subject, { artifactType: META })
    expect(listed).toMatchObject({ via: 'api', filtersApplied: false })
    expect(listed.descriptors.map(d => d.artifactType)).toEqual([META])
  })
})

describe('pagination', () => {
  test.each([false, true])('follows Link rel=next across pages (unquoted rel: %s)', async unquotedLinkRel => {
    const reg = await start({ referrersPageSize: 2, unquotedLinkRel })
    const t = target(reg.host, 'paged')
    const subject = await pushImage(t, 'p')
    const pushed = []
    for (let i = 0; i < 5; i++) pushed.push((await pushArtifact(t, subject, META, { i: String(i) })).descriptor.digest)
    const listed = await t.listReferrers(subject)
    expect(listed.descriptors.map(d => d.digest).sort()).toEqual([...pushed].sort())
    expect(t.requestCount.byKind.referrers).toBe(3)
  })
})

describe('non-compliant referrers', () => {
  test('descriptors are returned as given: no annotations, config.mediaType as artifactType', async () => {
    const reg = await start({ nonCompliantReferrers: true })
    const t = target(reg.host, 'nc')
    const subject = await pushImage(t, 'nc')
    const art = await pushArtifact(t, subject, META, { important: 'yes' })
    const listed = await t.listReferrers(subject)
    expect(listed.descriptors).toHaveLength(1)
    const d = listed.descriptors[0]!
    expect(d.digest).toBe(art.descriptor.digest)
    expect(d.annotations).toBeUndefined()
    expect(d.artifactType).toBe(MediaType.Empty)
    expect(isIncompleteReferrer(d)).toBe(true)
    // the caller can fetch the manifest and judge from it
    const m = await t.fetchManifest(d)
    expect(JSON.parse(new TextDecoder().decode(m.bytes)).annotations).toEqual({ important: 'yes' })
  })
})

describe('registry without the referrers API', () => {
  test('unsupported by ping; lists through the tag schema keeping foreign entries', async () => {
    const reg = await start({ referrersApi: false })
    const t = target(reg.host, 'noapi')
    const subject = await pushImage(t, 'noapi')
    const foreign = await pushArtifact(t, subject, 'application/vnd.dev.cosign.artifact.sig.v1+json', { sig: 'x' })
    const ours = await pushArtifact(t, subject, META, { k: 'v' })
    expect(ours.subjectAccepted).toBe(false)
    let idx = editReferrersIndex(undefined, [{ ...foreign.descriptor, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' }])
    await t.pushManifest(idx.bytes, MediaType.ImageIndex, referrersTagName(subject.digest))
    const existing = JSON.parse(new TextDecoder().decode((await t.fetchManifest(referrersTagName(subject.digest))).bytes))
    idx = editReferrersIndex(existing, [{ ...ours.descriptor, artifactType: META, annotations: { k: 'v' } }])
    await t.pushManifest(idx.bytes, MediaType.ImageIndex, referrersTagName(subject.digest))

    const listed = await t.listReferrers(subject)
    expect(listed.via).toBe('tag-schema')
    expect(listed.descriptors.map(d => d.digest)).toEqual([foreign.descriptor.digest, ours.descriptor.digest])
    // the capability is known: the next listing goes straight to the tag
    const before = t.requestCount.byKind.referrers
    await t.listReferrers(subject)
    expect(t.requestCount.byKind.referrers).toBe(before)
  })

  test('OCI-Subject without the API (ECR) is confirmed by a ping before reads trust it', async () => {
    const reg = await start({ referrersApi: false })
    const t = target(reg.host, 'ecr')
    const subject = await pushImage(t, 'ecr')
    // the registry's option ties OCI-Subject to the API; script the ECR answer instead
    reg.addFault({ match: { method: 'PUT', path: /\/manifests\/sha256:/ }, status: 201, headers: { 'OCI-Subject': subject.digest } })
    const art = await pushArtifact(t, subject, META, { k: 'v' })
    expect(art.subjectAccepted).toBe(true)
    expect((await t.listReferrers(subject)).via).toBe('tag-schema')
  })

  test('a fallback tag that resolves to the subject itself (GitLab) is no index', async () => {
    const reg = await start({ referrersApi: false })
    const t = target(reg.host, 'gitlab')
    const subject = await pushImage(t, 'gl')
    const bytes = reg.getManifest('gitlab', subject.digest)!.bytes
    reg.putManifest('gitlab', bytes, MediaType.ImageManifest, referrersTagName(subject.digest))
    expect(await t.listReferrers(subject)).toEqual({ descriptors: [], via: 'tag-schema', filtersApplied: false })
  })
})
