/**
 * Attach planning (src/attach/plan.ts): what is written for metadata, an SBOM, provenance and a
 * signed statement — the manifest (bytes and descriptor), the blobs to push, the annotations a
 * consumer reads, and the writer's key that decides what a later attempt replaces.
 */
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { METADATA_LAYER_MEDIA_TYPE, planBundle, planMetadata, planProvenance, planSbom, type PlanContext } from '../../src/attach/plan.js'
import type { PlannedArtifact } from '../../src/attach/publish.js'
import { decodeDocument, decodeDocumentBytes } from '../../src/metadata/codec.js'
import { buildDocument } from '../../src/metadata/document.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import type { Descriptor } from '../../src/oci/types.js'
import { detectSbom } from '../../src/sbom-provenance/sbom.js'
import { buildProvenance } from '../../src/sbom-provenance/provenance.js'
import { CREATED, githubCi, image, IMAGE_DIGEST } from '../metadata/sample.js'

const P = 'com.example.build'
const SUBJECT: Descriptor = { mediaType: MediaType.ImageIndex, digest: IMAGE_DIGEST, size: 1609 }
const OTHER_SUBJECT: Descriptor = { mediaType: MediaType.ImageManifest, digest: `sha256:${'a'.repeat(64)}`, size: 400 }
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }
const SPDX = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')
const CDX = join(process.cwd(), '__fixtures__', 'sbom', 'cyclonedx-1.5.json')

function context(over: Partial<PlanContext> = {}): PlanContext {
  return {
    subject: SUBJECT,
    prefix: P,
    userAnnotations: {},
    created: CREATED.toISOString(),
    writer: { parts: ['github', 'octo-org/app', 'build', 'image', '', '9876543210'], attempt: 1 },
    ...over
  }
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const doc = buildDocument({ ci: githubCi, image, created: CREATED })
const provenance = buildProvenance({ subjectName: image.name, subjectDigest: IMAGE_DIGEST, ci: githubCi })

/** What a registry stores and a consumer reads: the manifest parsed from the exact bytes pushed. */
function stored(p: PlannedArtifact) {
  return JSON.parse(new TextDecoder().decode(p.built.bytes)) as {
    artifactType: string
    config: Descriptor
    layers: Descriptor[]
    subject: Descriptor
    annotations: Record<string, string>
  }
}

/** Every plan's manifest is named by the digest of its bytes, and its descriptor says what its bytes say. */
function expectConsistent(p: PlannedArtifact): void {
  const m = stored(p)
  expect(p.built.descriptor).toEqual({
    mediaType: MediaType.ImageManifest,
    digest: sha256(p.built.bytes),
    size: p.built.bytes.length,
    artifactType: m.artifactType,
    annotations: m.annotations
  })
  expect(m.subject).toEqual({ mediaType: SUBJECT.mediaType, digest: SUBJECT.digest, size: SUBJECT.size })
  expect(m.config).toEqual(EMPTY)
  // every blob the manifest names is planned for upload, and nothing else
  const named = new Set([m.config.digest, ...m.layers.map(l => l.digest)])
  expect(new Set(p.blobs.map(b => b.descriptor.digest))).toEqual(named)
}

describe('metadata', () => {
  test('a document that fits: in the annotations, read back to the same document, with only the empty blob to push', () => {
    const { plan, annotations } = planMetadata(doc, context({ userAnnotations: { 'org.example.team': 'platform' } }))
    expectConsistent(plan)
    const m = stored(plan)
    expect(m.artifactType).toBe(ArtifactType.BuildMetadataV1)
    expect(m.layers).toEqual([EMPTY])
    expect(plan.blobs.map(b => b.source)).toEqual([{ bytes: new TextEncoder().encode('{}') }])
    const back = decodeDocument(m.annotations, { prefix: P })
    expect(back?.inline && back.document).toEqual(doc)
    expect(plan.documentDigest).toBe(back?.documentDigest)
    expect(m.annotations).toMatchObject({
      'org.example.team': 'platform',
      'org.opencontainers.image.created': CREATED.toISOString(),
      [`${P}.key`]: plan.key,
      [`${P}.attempt`]: '1'
    })
    // what attach reports as written is what the manifest carries
    expect(annotations).toEqual(m.annotations)
    expect({ kind: plan.kind, label: plan.label, contentDigest: plan.contentDigest }).toEqual({ kind: 'metadata', label: 'metadata', contentDigest: undefined })
  })

  test("a user's annotations never replace the ones the document, the time and the writer's key are read from", () => {
    const { plan } = planMetadata(
      doc,
      context({ userAnnotations: { 'org.opencontainers.image.created': '1999-01-01T00:00:00Z', [`${P}.key`]: 'mine', [`${P}.digest`]: 'sha256:0' } })
    )
    const m = stored(plan)
    expect(m.annotations['org.opencontainers.image.created']).toBe(CREATED.toISOString())
    expect(m.annotations[`${P}.key`]).toBe(plan.key)
    expect(m.annotations[`${P}.digest`]).toBe(plan.documentDigest)
  })

  test('a document too large for annotations: a layer holding its canonical bytes, and a summary in the annotations', () => {
    const big = buildDocument({ ci: githubCi, image, created: CREATED, user: { blob: randomBytes(60_000).toString('base64') } })
    const { plan } = planMetadata(big, context())
    expectConsistent(plan)
    const m = stored(plan)
    expect(m.layers).toEqual([
      {
        mediaType: METADATA_LAYER_MEDIA_TYPE,
        digest: plan.documentDigest,
        size: expect.any(Number),
        annotations: { 'org.opencontainers.image.title': 'build-metadata.json' }
      }
    ])
    const layer = plan.blobs.find(b => b.descriptor.digest === plan.documentDigest)!
    const bytes = (layer.source as { bytes: Uint8Array }).bytes
    expect(sha256(bytes)).toBe(plan.documentDigest)
    expect(decodeDocumentBytes(bytes, plan.documentDigest).document).toEqual(big)
    expect(m.annotations[`${P}.layer`]).toBe('true')
    expect(m.annotations[P]).toBeUndefined()
  })
})

describe('SBOM', () => {
  test('the file as its only layer (streamed from disk), named by its title, its content digest in the annotations', async () => {
    const s = await detectSbom(SPDX)
    const plan = planSbom(s, context())
    expectConsistent(plan)
    const m = stored(plan)
    expect(m.artifactType).toBe(ArtifactType.Spdx)
    expect(m.layers).toEqual([
      { mediaType: ArtifactType.Spdx, digest: s.digest, size: s.size, annotations: { 'org.opencontainers.image.title': 'spdx-2.3.json' } }
    ])
    expect(plan.blobs.find(b => b.descriptor.digest === s.digest)?.source).toEqual({ path: SPDX, digest: s.digest, size: s.size })
    expect(m.annotations).toMatchObject({ [`${P}.sbom.format`]: 'spdx-json', [`${P}.content-digest`]: s.digest, [`${P}.key`]: plan.key })
    expect({ kind: plan.kind, label: plan.label, contentDigest: plan.contentDigest }).toEqual({
      kind: 'sbom',
      label: 'sbom spdx-2.3.json',
      contentDigest: s.digest
    })
  })
})

describe('provenance', () => {
  test('the statement as its layer; the same build gives the same bytes, so a re-run can tell it is attached already', () => {
    const { plan, bytes } = planProvenance(provenance, context())
    expectConsistent(plan)
    const m = stored(plan)
    expect(m.artifactType).toBe(ArtifactType.InToto)
    expect(m.layers).toEqual([
      { mediaType: ArtifactType.InToto, digest: sha256(bytes), size: bytes.length, annotations: { 'org.opencontainers.image.title': 'provenance.intoto.json' } }
    ])
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(provenance)
    expect(m.annotations).toMatchObject({ 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1', [`${P}.content-digest`]: sha256(bytes) })
    expect(plan.contentDigest).toBe(sha256(bytes))
    const again = planProvenance(
      buildProvenance({ subjectName: image.name, subjectDigest: IMAGE_DIGEST, ci: githubCi }),
      context({ created: '2030-01-01T00:00:00Z' })
    )
    expect(again.plan.contentDigest).toBe(plan.contentDigest)
  })
})

describe('a signed statement (Sigstore bundle)', () => {
  test('in the form actions/attest pushes: the bundle byte for byte as the only layer, its predicate type announced, never deduplicated', () => {
    const bundle = new TextEncoder().encode('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{}}')
    const plan = planBundle('provenance', bundle, 'https://slsa.dev/provenance/v1', context())
    expectConsistent(plan)
    const m = stored(plan)
    expect(m.artifactType).toBe(ArtifactType.SigstoreBundleV03)
    expect(m.layers).toEqual([{ mediaType: ArtifactType.SigstoreBundleV03, digest: sha256(bundle), size: bundle.length }])
    expect(plan.blobs.find(b => b.descriptor.digest === sha256(bundle))?.source).toEqual({ bytes: bundle })
    expect(m.annotations).toMatchObject({
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1',
      'org.opencontainers.image.created': CREATED.toISOString(),
      [`${P}.key`]: plan.key
    })
    expect({ kind: plan.kind, label: plan.label, contentDigest: plan.contentDigest }).toEqual({
      kind: 'provenance',
      label: 'signed provenance',
      contentDigest: undefined
    })
  })
})

describe("the writer's key", () => {
  const bundle = new TextEncoder().encode('{}')
  const keys = async (ctx: PlanContext) => ({
    metadata: planMetadata(doc, ctx).plan.key,
    provenance: planProvenance(provenance, ctx).plan.key,
    spdx: planSbom(await detectSbom(SPDX), ctx).key,
    cyclonedx: planSbom(await detectSbom(CDX), ctx).key,
    metadataBundle: planBundle('metadata', bundle, 'x', ctx).key,
    provenanceBundle: planBundle('provenance', bundle, 'x', ctx).key
  })

  test('one per artifact of a writer on a subject: kinds, SBOM files and signed forms each have their own', async () => {
    const k = await keys(context())
    expect(new Set(Object.values(k)).size).toBe(6)
    for (const key of Object.values(k)) expect(key).toMatch(/^[0-9a-f]{32}$/)
  })

  test('a later attempt keeps the key (so it replaces its own artifacts) and says its attempt; another writer or another subject does not share it', async () => {
    const first = await keys(context())
    const later = await keys(context({ writer: { ...context().writer, attempt: 2 } }))
    expect(later).toEqual(first)
    expect(stored(planMetadata(doc, context({ writer: { ...context().writer, attempt: 2 } })).plan).annotations[`${P}.attempt`]).toBe('2')
    const otherWriter = await keys(context({ writer: { parts: ['github', 'octo-org/app', 'build', 'other-job', '', '9876543210'], attempt: 1 } }))
    const otherSubject = await keys(context({ subject: OTHER_SUBJECT }))
    for (const kind of Object.keys(first) as Array<keyof typeof first>) {
      expect(otherWriter[kind]).not.toBe(first[kind])
      expect(otherSubject[kind]).not.toBe(first[kind])
    }
  })

  test('a writer without an attempt (outside CI, no start time) writes no attempt: it never replaces anything', () => {
    const { plan } = planMetadata(doc, context({ writer: { parts: ['local'] } }))
    expect(stored(plan).annotations[`${P}.key`]).toBe(plan.key)
    expect(stored(plan).annotations).not.toHaveProperty(`${P}.attempt`)
  })
})
