/**
 * Publishing (src/attach/publish.ts) through the remote target's referrer indexing
 * (src/oci/remote/indexing.ts), against the in-memory registry in its three guises: a spec registry
 * (the referrers API and OCI-Subject), distribution (neither: the referrers tag schema), and one
 * that sends OCI-Subject without serving the API (as ECR did). No network; time is virtual.
 */
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js'
import { planBundle, planMetadata, planProvenance, type PlanContext } from '../../src/attach/plan.js'
import { publish, type PlannedArtifact } from '../../src/attach/publish.js'
import { OciError } from '../../src/errors.js'
import type { Logger } from '../../src/log.js'
import { DEFAULT_ANNOTATION_PREFIX } from '../../src/metadata/codec.js'
import { buildDocument } from '../../src/metadata/document.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import { CONFIRM_FACTOR } from '../../src/oci/remote/indexing.js'
import { SETTLE_MS } from '../../src/oci/tag-schema/writer.js'
import type { Descriptor } from '../../src/oci/types.js'
import { buildProvenance } from '../../src/sbom-provenance/provenance.js'
import { CREATED, githubCi, image, IMAGE_DIGEST } from '../metadata/sample.js'

const P = DEFAULT_ANNOTATION_PREFIX
const SUBJECT: Descriptor = { mediaType: MediaType.ImageIndex, digest: IMAGE_DIGEST, size: 1609 }
const TAG = `sha256-${IMAGE_DIGEST.slice('sha256:'.length)}`

function context(attempt = 1): PlanContext {
  return {
    subject: SUBJECT,
    prefix: P,
    userAnnotations: {},
    created: CREATED.toISOString(),
    writer: { parts: ['github', 'octo-org/app', 'build', 'image'], attempt }
  }
}

/** What an attach with provenance and a signed metadata statement plans: three referrers, four blobs. */
function plans(attempt = 1): PlannedArtifact[] {
  const ctx = context(attempt)
  const doc = buildDocument({ ci: githubCi, image, created: CREATED })
  const provenance = buildProvenance({ subjectName: image.name, subjectDigest: IMAGE_DIGEST, ci: githubCi })
  const bundle = new TextEncoder().encode(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', attempt }))
  return [planMetadata(doc, ctx).plan, planProvenance(provenance, ctx).plan, planBundle('metadata', bundle, 'https://example.test/predicate', ctx)]
}

const digests = (ds: Array<{ digest: string }>) => ds.map(d => d.digest)
const ofPlans = (ps: PlannedArtifact[]) => ps.map(p => p.built.descriptor.digest)

function recording(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = []
  return { logger: { debug() {}, info() {}, warning: m => void warnings.push(m), group: (_n, fn) => fn() }, warnings }
}

describe('a registry with the referrers API', () => {
  test('blobs first, then the manifests one after another in plan order; the listing that confirms them comes back', async () => {
    const reg = new MemoryRegistry({ putMs: 10 })
    const ps = plans()
    const pushed = await publish(reg.target(), SUBJECT, ps, { prefix: P })
    expect(pushed.indexedBy).toBe('registry')
    expect(pushed.listing.via).toBe('api')
    expect(digests(pushed.listing.descriptors)).toEqual(ofPlans(ps))
    // a consumer never sees a manifest whose blobs are missing
    const firstManifest = reg.calls.findIndex(c => c.op === 'PUT manifest')
    const lastBlob = reg.calls.map(c => c.op).lastIndexOf('PUT blob')
    expect(lastBlob).toBeLessThan(firstManifest)
    expect(
      reg
        .callsOf('PUT blob')
        .map(c => c.ref)
        .sort()
    ).toEqual([...new Set(ps.flatMap(p => p.blobs.map(b => b.descriptor.digest)))].sort())
    // a registry that indexes referrers itself may lose those of one subject pushed at once
    expect(reg.callsOf('PUT manifest').map(c => c.ref)).toEqual(ofPlans(ps))
    expect(reg.maxInFlight).toBe(1)
    // the one listing is the one the read-back reuses; no referrers tag is read or written
    expect(reg.callsOf('GET referrers')).toHaveLength(1)
    expect(reg.callsOf('GET manifest')).toEqual([])
    expect(reg.tags.has(TAG)).toBe(false)
  })

  test('the confirming listing starts CONFIRM_FACTOR times the slowest PUT after the last push', async () => {
    const reg = new MemoryRegistry({ putMs: 40 })
    await publish(reg.target(), SUBJECT, plans(), { prefix: P })
    const lastPutEnded = (reg.callsOf('PUT manifest').at(-1)?.at ?? Number.NaN) + 40
    expect(reg.callsOf('GET referrers')[0]?.at).toBe(lastPutEnded + CONFIRM_FACTOR * 40)
  })

  test('a push that fails: its error, the later manifests are not pushed, nothing is listed', async () => {
    const reg = new MemoryRegistry()
    const ps = plans()
    const denied = new OciError('DENIED', 'push manifest to memory.test/app: denied')
    reg.failures.set(ofPlans(ps)[1]!, denied)
    await expect(publish(reg.target(), SUBJECT, ps, { prefix: P })).rejects.toBe(denied)
    expect(reg.callsOf('PUT manifest').map(c => c.ref)).toEqual(ofPlans(ps).slice(0, 2))
    expect(reg.callsOf('GET referrers')).toEqual([])
  })

  test('a blob that fails to upload: no manifest is pushed', async () => {
    const reg = new MemoryRegistry()
    const ps = plans()
    const layer = ps[1]!.blobs[0]!.descriptor.digest
    const failed = new OciError('SERVER_ERROR', 'push blob to memory.test/app: the registry answered 503')
    reg.failures.set(layer, failed)
    await expect(publish(reg.target(), SUBJECT, ps, { prefix: P })).rejects.toBe(failed)
    expect(reg.callsOf('PUT manifest')).toEqual([])
  })
})

describe('a registry without the referrers API (distribution): the referrers tag schema', () => {
  const cosign: Descriptor = {
    mediaType: MediaType.ImageManifest,
    digest: `sha256:${'c'.repeat(64)}`,
    size: 512,
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    annotations: { 'dev.sigstore.cosign/bundle': '{}' }
  }

  test("the pushes after the first go at once; the tag lists them after another tool's entry, and its confirmed index comes back", async () => {
    const reg = new MemoryRegistry({ referrersApi: false })
    reg.putReferrersTag(SUBJECT.digest, [cosign])
    const ps = plans()
    const pushed = await publish(reg.target(), SUBJECT, ps, { prefix: P })
    expect(pushed.indexedBy).toBe('tag-schema')
    expect(pushed.listing.via).toBe('tag-schema')
    expect(reg.maxInFlight).toBe(ps.length - 1)
    expect(reg.referrersTag(SUBJECT.digest)).toEqual([cosign, ...ps.map(p => p.built.descriptor)])
    expect(pushed.listing.descriptors).toEqual(reg.referrersTag(SUBJECT.digest))
    // no OCI-Subject: the API is not asked
    expect(reg.callsOf('GET referrers')).toEqual([])
    // confirmed by a read at least a settle after the tag was written (src/oci/tag-schema/writer.ts)
    const put = reg.callsOf('PUT manifest').find(c => c.ref === TAG)!
    const reads = reg.callsOf('GET manifest').filter(c => c.ref === TAG)
    expect(reads.at(-1)!.at - put.at).toBeGreaterThanOrEqual(SETTLE_MS)
  })

  test("an earlier attempt of this writer is taken out of the tag; another writer's entry and another tool's stay", async () => {
    const reg = new MemoryRegistry({ referrersApi: false })
    const now = plans(2)
    const metadataKey = now[0]!.key
    const earlier: Descriptor = {
      mediaType: MediaType.ImageManifest,
      digest: `sha256:${'e'.repeat(64)}`,
      size: 600,
      artifactType: ArtifactType.BuildMetadataV1,
      annotations: { [`${P}.key`]: metadataKey, [`${P}.attempt`]: '1' }
    }
    const otherWriter: Descriptor = { ...earlier, digest: `sha256:${'f'.repeat(64)}`, annotations: { [`${P}.key`]: 'f'.repeat(32), [`${P}.attempt`]: '1' } }
    reg.putReferrersTag(SUBJECT.digest, [earlier, otherWriter, cosign])
    await publish(reg.target(), SUBJECT, now, { prefix: P })
    expect(digests(reg.referrersTag(SUBJECT.digest))).toEqual([otherWriter.digest, cosign.digest, ...ofPlans(now)])
  })

  test('a push that fails: every started push finishes first, and the referrers tag is not written', async () => {
    const reg = new MemoryRegistry({ referrersApi: false })
    const ps = plans()
    const denied = new OciError('DENIED', 'push manifest to memory.test/app: denied')
    reg.failures.set(ofPlans(ps)[2]!, denied)
    let inFlightAtFailure = -1
    const err = await publish(reg.target(), SUBJECT, ps, { prefix: P }).catch(e => {
      inFlightAtFailure = reg.inFlight
      return e
    })
    expect(err).toBe(denied)
    expect(inFlightAtFailure).toBe(0)
    expect(reg.manifests.has(ofPlans(ps)[1]!)).toBe(true)
    expect(reg.tags.has(TAG)).toBe(false)
  })
})

test('a registry that answers OCI-Subject without serving the API (as ECR did): one after another, then the tag schema, with a warning', async () => {
  const reg = new MemoryRegistry({ referrersApi: false, subjectHeader: true })
  const { logger, warnings } = recording()
  const ps = plans()
  const pushed = await publish(reg.target(logger), SUBJECT, ps, { prefix: P })
  expect(reg.maxInFlight).toBe(1)
  // the listing that would have confirmed the API shows none
  expect(reg.callsOf('GET referrers')).toHaveLength(1)
  expect(pushed.indexedBy).toBe('tag-schema')
  expect(digests(pushed.listing.descriptors)).toEqual(ofPlans(ps))
  expect(digests(reg.referrersTag(SUBJECT.digest))).toEqual(ofPlans(ps))
  expect(warnings).toEqual(['memory.test/app answered OCI-Subject but does not serve the referrers API; maintaining the referrers tag schema instead'])
})
