/**
 * BuildKit's attestations made findable by referrers of their platform (src/attach/buildkit-listing.ts and
 * the remote target's indexReferrers): only where the target keeps the referrers tag schema; a
 * registry with the referrers API lists them already, so they are not even read there.
 */
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js'
import { type AttestationForm, writeBuildKitIndex } from '../../__fixtures__/topology.js'
import { listBuildKitAttestations } from '../../src/attach/buildkit-listing.js'
import { planMetadata } from '../../src/attach/plan.js'
import { publish } from '../../src/attach/publish.js'
import { silentLogger } from '../../src/log.js'
import { DEFAULT_ANNOTATION_PREFIX } from '../../src/metadata/codec.js'
import { buildDocument } from '../../src/metadata/document.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import { parseReference } from '../../src/oci/reference.js'
import { resolveSubject } from '../../src/image-reader/resolve-subject.js'
import type { RunDeps } from '../../src/result.js'
import { CREATED, githubCi, image } from '../metadata/sample.js'

const P = DEFAULT_ANNOTATION_PREFIX
const deps: RunDeps = { logger: silentLogger, env: {}, cwd: '/' }

/** A BuildKit index in `reg`, resolved as attach resolves it, with our metadata attached to the index first (as attach does). */
async function attached(reg: MemoryRegistry, form: AttestationForm) {
  const built = await writeBuildKitIndex(reg, 'app', 'v1', form)
  const target = reg.target()
  const subject = await resolveSubject(target, parseReference('memory.test/app:v1'), undefined)
  const doc = buildDocument({ ci: githubCi, image: { ...image, digest: subject.descriptor.digest }, created: CREATED })
  const { plan } = planMetadata(doc, {
    subject: subject.descriptor,
    prefix: P,
    userAnnotations: {},
    created: CREATED.toISOString(),
    writer: { parts: ['github'], attempt: 1 }
  })
  await publish(target, subject.descriptor, [plan], { prefix: P })
  reg.calls.length = 0
  return { built, target, subject }
}

const attestationReads = (reg: MemoryRegistry, built: { attestations: Map<string, { digest: string }> }) => {
  const digests = new Set([...built.attestations.values()].map(d => d.digest))
  return reg.callsOf('GET manifest').filter(c => digests.has(c.ref))
}

test("where the client keeps the tag schema, each attestation is listed in its platform's referrers tag; the index is not rewritten", async () => {
  const reg = new MemoryRegistry({ referrersApi: false })
  const { built, target, subject } = await attached(reg, 'oci')
  await listBuildKitAttestations(target, subject, deps, silentLogger)
  for (const p of built.platforms) {
    const a = built.attestations.get(p.digest)!
    // as a referrers descriptor: the manifest's own artifactType, its digest and size
    expect(reg.referrersTag(p.digest)).toEqual([{ mediaType: a.mediaType, digest: a.digest, size: a.size, artifactType: ArtifactType.BuildKitAttestation }])
  }
  expect(attestationReads(reg, built)).toHaveLength(2)
  expect(reg.tags.get('v1')).toBe(built.index.digest)
  expect(reg.callsOf('PUT manifest').map(c => c.ref)).not.toContain('v1')
})

test('where the registry lists referrers itself (the API), they are neither read nor written anywhere', async () => {
  const reg = new MemoryRegistry()
  const { built, target, subject } = await attached(reg, 'oci')
  await listBuildKitAttestations(target, subject, deps, silentLogger)
  expect(attestationReads(reg, built)).toEqual([])
  expect(reg.callsOf('PUT manifest')).toEqual([])
  // the registry lists each under its platform already
  for (const p of built.platforms) expect((await reg.listReferrers(p)).descriptors.map(d => d.digest)).toEqual([built.attestations.get(p.digest)!.digest])
})

test('the legacy form names no subject, so it cannot be a referrer: read, and listed nowhere', async () => {
  const reg = new MemoryRegistry({ referrersApi: false })
  const { built, target, subject } = await attached(reg, 'legacy')
  await listBuildKitAttestations(target, subject, deps, silentLogger)
  expect(attestationReads(reg, built)).toHaveLength(2)
  for (const p of built.platforms) expect(reg.referrersTag(p.digest)).toEqual([])
  expect(reg.callsOf('PUT manifest')).toEqual([])
})

test('with nothing pushed yet, the registry says whether it lists referrers itself: with the API nothing is read', async () => {
  const reg = new MemoryRegistry()
  const built = await writeBuildKitIndex(reg, 'app', 'v1', 'oci')
  const target = reg.target()
  const subject = await resolveSubject(target, parseReference('memory.test/app:v1'), undefined)
  reg.calls.length = 0
  await listBuildKitAttestations(target, subject, deps, silentLogger)
  expect(attestationReads(reg, built)).toEqual([])
  expect(reg.callsOf('PUT manifest')).toEqual([])
})
