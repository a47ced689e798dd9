/**
 * Collecting the gate's evidence for one subject (src/verify/evidence.ts collectEvidence) from the
 * in-memory registry: metadata artifacts (in annotations, in a layer, about another image),
 * Sigstore bundles read only when their statement is needed (and every one when a verifier is
 * given, up to MAX_BUNDLES_READ), metadata written in annotations mode, and BuildKit's attestations
 * counted for the platform they describe.
 */
import { randomBytes } from 'node:crypto'
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js'
import { planBundle, planMetadata, type PlanContext } from '../../src/attach/plan.js'
import type { PlannedArtifact } from '../../src/attach/publish.js'
import type { Logger } from '../../src/log.js'
import { encodeDocument } from '../../src/metadata/codec.js'
import { buildDocument } from '../../src/metadata/document.js'
import type { BuildMetadata } from '../../src/metadata/schema.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import type { Descriptor, Manifest } from '../../src/oci/types.js'
import type { IndexAttestation } from '../../src/image-reader/index-attestations.js'
import type { SignerIdentity } from '../../src/sign/signer.js'
import { BUILD_METADATA_PREDICATE_V1, metadataStatement } from '../../src/sbom-provenance/metadata-statement.js'
import { buildProvenance, SLSA_PROVENANCE_V1 } from '../../src/sbom-provenance/provenance.js'
import { type BundleVerifier, collectEvidence, MAX_BUNDLES_READ } from '../../src/verify/evidence.js'
import { CREATED, githubCi, image } from '../metadata/sample.js'

const P = 'dev.oci-build-metadata'
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const IDENTITY: SignerIdentity = {
  san: 'https://github.com/octo-org/app/.github/workflows/build.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com'
}

/** An image in the registry, and the metadata document of a build of it. */
function setup(): { reg: MemoryRegistry; subject: Descriptor; doc: BuildMetadata; ctx: PlanContext } {
  const reg = new MemoryRegistry()
  const subject = reg.put(
    enc({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: { mediaType: MediaType.ImageConfig, digest: `sha256:${'1'.repeat(64)}`, size: 2 },
      layers: []
    }),
    MediaType.ImageManifest
  )
  const doc = buildDocument({ ci: githubCi, image: { ...image, digest: subject.digest, mediaType: subject.mediaType, size: subject.size }, created: CREATED })
  const ctx: PlanContext = { subject, prefix: P, userAnnotations: {}, created: CREATED.toISOString(), writer: { parts: ['github'], attempt: 1 } }
  return { reg, subject, doc, ctx }
}

/** Store a planned artifact (its blobs and manifest) as a writer would have, without counting calls. */
function store(reg: MemoryRegistry, p: PlannedArtifact): Descriptor {
  for (const b of p.blobs) reg.putBlob((b.source as { bytes: Uint8Array }).bytes)
  reg.put(p.built.bytes, MediaType.ImageManifest)
  return p.built.descriptor
}

/** A Sigstore bundle as actions/attest writes it: the statement in a DSSE envelope (the signature is the verifier's business). */
function bundleOf(statement: unknown): Uint8Array {
  return enc({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    dsseEnvelope: { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [] }
  })
}

/** A bundle referrer that announces `announced` (none: no predicate annotation at all). */
function bundleReferrer(reg: MemoryRegistry, ctx: PlanContext, statement: unknown, announced: string | undefined, n = 0): Descriptor {
  const plan = planBundle('provenance', bundleOf({ ...(statement as object), n }), announced ?? 'x', ctx)
  if (announced === undefined) {
    // rebuild without the announcement: as a tool that names no predicate type on the manifest
    const m = JSON.parse(new TextDecoder().decode(plan.built.bytes))
    delete m.annotations['dev.sigstore.bundle.predicateType']
    const bytes = enc(m)
    for (const b of plan.blobs) reg.putBlob((b.source as { bytes: Uint8Array }).bytes)
    return reg.put(bytes, MediaType.ImageManifest)
  }
  return store(reg, plan)
}

const verifier =
  (ok = true): BundleVerifier =>
  bytes => {
    const b = JSON.parse(new TextDecoder().decode(bytes)) as { dsseEnvelope: { payload: string } }
    return ok
      ? { verified: true, identity: IDENTITY, statement: JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString()) }
      : { verified: false, problem: 'the signature does not verify' }
  }

function recording(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = []
  return { logger: { debug() {}, info() {}, warning: m => void warnings.push(m), group: (_n, fn) => fn() }, warnings }
}

describe('metadata artifacts', () => {
  test('a document in the annotations: the document written, for this image, nothing else read', async () => {
    const { reg, subject, doc, ctx } = setup()
    const { plan } = planMetadata(doc, ctx)
    const d = store(reg, plan)
    const { evidence } = await collectEvidence(reg, { descriptor: subject }, { prefix: P })
    expect(evidence).toEqual([
      {
        digest: d.digest,
        artifactType: ArtifactType.BuildMetadataV1,
        kinds: new Set(['metadata']),
        predicateTypes: [],
        source: 'referrer',
        created: CREATED.toISOString(),
        document: doc,
        documentDigest: plan.documentDigest
      }
    ])
    expect(reg.callsOf('GET blob')).toEqual([])
  })

  test('a document too large for annotations is read from its layer', async () => {
    const { reg, subject, ctx } = setup()
    const big = buildDocument({
      ci: githubCi,
      image: { ...image, digest: subject.digest },
      created: CREATED,
      user: { blob: randomBytes(60_000).toString('base64') }
    })
    const { plan } = planMetadata(big, ctx)
    store(reg, plan)
    const { evidence } = await collectEvidence(reg, { descriptor: subject }, { prefix: P })
    expect(evidence[0]?.document).toEqual(big)
    expect(evidence[0]?.documentDigest).toBe(plan.documentDigest)
    expect(reg.callsOf('GET blob').map(c => c.ref)).toEqual([plan.documentDigest])
  })

  test('a document about another image is no evidence for this one', async () => {
    const { reg, subject, ctx } = setup()
    const other = `sha256:${'9'.repeat(64)}`
    const { plan } = planMetadata(buildDocument({ ci: githubCi, image: { ...image, digest: other }, created: CREATED }), ctx)
    store(reg, plan)
    const [e] = (await collectEvidence(reg, { descriptor: subject }, { prefix: P })).evidence
    expect(e?.document).toBeUndefined()
    expect(e?.problem).toBe(`it describes ${other}, not this image`)
  })

  test('metadata written in annotations mode: the image carries the document in its own annotations', async () => {
    const { reg, subject, doc } = setup()
    const annotated: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: subject,
      layers: [],
      annotations: encodeDocument(doc, { prefix: P }).annotations
    }
    const { evidence } = await collectEvidence(reg, { descriptor: subject, manifest: annotated }, { prefix: P })
    expect(evidence).toEqual([
      { digest: subject.digest, kinds: new Set(['metadata']), source: 'annotations', document: doc, documentDigest: encodeDocument(doc).documentDigest }
    ])
  })
})

describe('Sigstore bundles without a verifier (a presence gate)', () => {
  test('one announcing provenance is counted by its announcement and not read', async () => {
    const { reg, subject, ctx } = setup()
    const provenance = buildProvenance({ subjectName: image.name, subjectDigest: subject.digest, ci: githubCi })
    const d = bundleReferrer(reg, ctx, provenance, SLSA_PROVENANCE_V1)
    const [e] = (await collectEvidence(reg, { descriptor: subject }, { prefix: P })).evidence
    expect(e).toMatchObject({ digest: d.digest, kinds: new Set(['provenance']), signature: { state: 'unchecked' } })
    expect(reg.callsOf('GET blob')).toEqual([])
    expect(reg.callsOf('GET manifest').filter(c => c.ref === d.digest)).toEqual([])
  })

  test('one announcing our metadata is read: its statement gives the document', async () => {
    const { reg, subject, doc, ctx } = setup()
    bundleReferrer(reg, ctx, metadataStatement(doc), BUILD_METADATA_PREDICATE_V1)
    const [e] = (await collectEvidence(reg, { descriptor: subject }, { prefix: P })).evidence
    expect(e).toMatchObject({ kinds: new Set(['metadata']), document: doc, signature: { state: 'unchecked' } })
    expect(reg.callsOf('GET blob')).toHaveLength(1)
  })

  test('one announcing nothing is read, and its statement says what it is', async () => {
    const { reg, subject, ctx } = setup()
    bundleReferrer(reg, ctx, buildProvenance({ subjectName: image.name, subjectDigest: subject.digest, ci: githubCi }), undefined)
    const [e] = (await collectEvidence(reg, { descriptor: subject }, { prefix: P })).evidence
    expect(e).toMatchObject({ kinds: new Set(['provenance']), predicateTypes: [SLSA_PROVENANCE_V1], signature: { state: 'unchecked' } })
    expect(reg.callsOf('GET blob')).toHaveLength(1)
  })

  test('one whose statement is about another image counts for nothing', async () => {
    const { reg, subject, ctx } = setup()
    const other = `sha256:${'8'.repeat(64)}`
    bundleReferrer(reg, ctx, buildProvenance({ subjectName: image.name, subjectDigest: other, ci: githubCi }), undefined)
    const [e] = (await collectEvidence(reg, { descriptor: subject }, { prefix: P })).evidence
    expect(e?.kinds).toEqual(new Set())
    expect(e?.problem).toBe(`its statement is about another image, not ${subject.digest}`)
  })
})

describe('Sigstore bundles with a verifier (a signed gate)', () => {
  test('every bundle is read, whatever it announces: the verified statement decides, and who signed it is kept', async () => {
    const { reg, subject, doc, ctx } = setup()
    const provenance = buildProvenance({ subjectName: image.name, subjectDigest: subject.digest, ci: githubCi })
    bundleReferrer(reg, ctx, provenance, SLSA_PROVENANCE_V1)
    // announced as an SBOM, signed as provenance: the signed statement wins, the announcement is kept to say so
    bundleReferrer(reg, ctx, provenance, 'https://spdx.dev/Document', 1)
    bundleReferrer(reg, ctx, metadataStatement(doc), BUILD_METADATA_PREDICATE_V1)
    const { evidence } = await collectEvidence(reg, { descriptor: subject }, { prefix: P, verifyBundle: verifier() })
    expect(reg.callsOf('GET blob')).toHaveLength(3)
    expect(evidence.map(e => [...e.kinds])).toEqual([['provenance'], ['provenance'], ['metadata']])
    expect(evidence.every(e => e.signature?.state === 'verified' && e.signature.identity === IDENTITY)).toBe(true)
    expect(evidence[1]?.announced).toEqual(['https://spdx.dev/Document'])
    expect(evidence[2]?.document).toEqual(doc)
  })

  test('a bundle that does not verify serves nothing, and says why', async () => {
    const { reg, subject, ctx } = setup()
    bundleReferrer(reg, ctx, buildProvenance({ subjectName: image.name, subjectDigest: subject.digest, ci: githubCi }), SLSA_PROVENANCE_V1)
    const [e] = (await collectEvidence(reg, { descriptor: subject }, { prefix: P, verifyBundle: verifier(false) })).evidence
    expect(e?.signature).toEqual({ state: 'invalid', problem: 'the signature does not verify' })
  })

  test(`at most MAX_BUNDLES_READ (${MAX_BUNDLES_READ}) bundles are read on one image; the rest are named as not read`, async () => {
    const { reg, subject, ctx } = setup()
    const provenance = buildProvenance({ subjectName: image.name, subjectDigest: subject.digest, ci: githubCi })
    const extra = 3
    const bundles = Array.from({ length: MAX_BUNDLES_READ + extra }, (_, i) => bundleReferrer(reg, ctx, provenance, SLSA_PROVENANCE_V1, i)).map(d => d.digest)
    const { logger, warnings } = recording()
    const { evidence } = await collectEvidence(reg, { descriptor: subject }, { prefix: P, verifyBundle: verifier(), logger })
    const ofBundles = new Set(bundles)
    expect(reg.callsOf('GET manifest').filter(c => ofBundles.has(c.ref))).toHaveLength(MAX_BUNDLES_READ)
    expect(reg.callsOf('GET blob')).toHaveLength(MAX_BUNDLES_READ)
    expect(evidence.filter(e => e.signature?.state === 'verified')).toHaveLength(MAX_BUNDLES_READ)
    const notRead = evidence.filter(e => e.signature?.state === 'invalid')
    expect(notRead.map(e => e.signature)).toEqual(
      Array(extra).fill({ state: 'invalid', problem: `not read: more than ${MAX_BUNDLES_READ} Sigstore bundles on the image` })
    )
    expect(warnings).toEqual([`more than ${MAX_BUNDLES_READ} Sigstore bundles on ${subject.digest}: the rest are not read`])
  })
})

describe("BuildKit's attestations inside the index", () => {
  const amd64 = `sha256:${'a'.repeat(64)}`
  const arm64 = `sha256:${'b'.repeat(64)}`
  const attestation = (about: string, predicate: string): IndexAttestation => {
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      artifactType: ArtifactType.BuildKitAttestation,
      config: { mediaType: MediaType.ImageConfig, digest: `sha256:${'c'.repeat(64)}`, size: 2 },
      layers: [
        { mediaType: ArtifactType.InToto, digest: `sha256:${about.slice(-1).repeat(64)}`, size: 10, annotations: { 'in-toto.io/predicate-type': predicate } }
      ],
      subject: { mediaType: MediaType.ImageManifest, digest: about, size: 400 }
    }
    const descriptor: Descriptor = {
      mediaType: MediaType.ImageManifest,
      digest: `sha256:${about.slice(-1).repeat(63)}0`,
      size: 700,
      artifactType: ArtifactType.BuildKitAttestation,
      platform: { os: 'unknown', architecture: 'unknown' }
    }
    return { descriptor, manifest, about }
  }
  const attestations = [attestation(amd64, SLSA_PROVENANCE_V1), attestation(arm64, 'https://spdx.dev/Document')]

  test('each counts for the platform it describes, by the predicate types on its layers', async () => {
    const { reg } = setup()
    const platform: Descriptor = { mediaType: MediaType.ImageManifest, digest: amd64, size: 400 }
    const { evidence } = await collectEvidence(reg, { descriptor: platform, indexAttestations: attestations }, { prefix: P, platformDigest: amd64 })
    expect(evidence).toEqual([
      {
        digest: attestations[0]!.descriptor.digest,
        kinds: new Set(['provenance']),
        predicateTypes: [SLSA_PROVENANCE_V1],
        source: 'index-attestation',
        artifactType: ArtifactType.BuildKitAttestation
      }
    ])
  })

  test('for the index as a whole, all of them count', async () => {
    const { reg, subject } = setup()
    const { evidence } = await collectEvidence(reg, { descriptor: subject, indexAttestations: attestations }, { prefix: P })
    expect(evidence.map(e => [e.digest, [...e.kinds]])).toEqual([
      [attestations[0]!.descriptor.digest, ['provenance']],
      [attestations[1]!.descriptor.digest, ['sbom']]
    ])
  })
})
