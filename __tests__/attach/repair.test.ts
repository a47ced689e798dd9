/**
 * The read-back's repair of a referrer the registry's own index dropped (src/attach/repair.ts,
 * src/attach/check.ts): on the in-memory registry whose index loses given pushes, as a registry with
 * a racy read-modify-write index does. Virtual time: the waits are the read-back's real schedule.
 */
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js'
import { checkAttached } from '../../src/attach/check.js'
import { planMetadata, planProvenance, type PlanContext } from '../../src/attach/plan.js'
import { publish, type PlannedArtifact } from '../../src/attach/publish.js'
import { MAX_REPUSHES, REPUSH_AFTER_MS } from '../../src/attach/repair.js'
import type { Logger } from '../../src/log.js'
import { DEFAULT_ANNOTATION_PREFIX } from '../../src/metadata/codec.js'
import { buildDocument } from '../../src/metadata/document.js'
import { MediaType } from '../../src/oci/media-types.js'
import type { Descriptor } from '../../src/oci/types.js'
import { buildProvenance } from '../../src/sbom-provenance/provenance.js'
import { CREATED, githubCi, image, IMAGE_DIGEST } from '../metadata/sample.js'

const P = DEFAULT_ANNOTATION_PREFIX
const SUBJECT: Descriptor = { mediaType: MediaType.ImageIndex, digest: IMAGE_DIGEST, size: 1609 }
const ctx: PlanContext = {
  subject: SUBJECT,
  prefix: P,
  userAnnotations: {},
  created: CREATED.toISOString(),
  writer: { parts: ['github', 'octo-org/app', 'build', 'image'], attempt: 1 }
}

function plans(): PlannedArtifact[] {
  const doc = buildDocument({ ci: githubCi, image, created: CREATED })
  return [planMetadata(doc, ctx).plan, planProvenance(buildProvenance({ subjectName: image.name, subjectDigest: IMAGE_DIGEST, ci: githubCi }), ctx).plan]
}

function recording(): { logger: Logger; infos: string[] } {
  const infos: string[] = []
  return { logger: { debug() {}, info: m => void infos.push(m), warning() {}, group: (_n, fn) => fn() }, infos }
}

async function attachAndCheck(reg: MemoryRegistry, ps: PlannedArtifact[], timeoutMs: number, logger: Logger) {
  const target = reg.target(logger)
  const pushed = await publish(target, SUBJECT, ps, { prefix: P })
  const started = reg.clock.now()
  const check = await checkAttached(target, SUBJECT, ps, { timeoutMs, prefix: P, logger, listing: pushed.listing, sleep: reg.clock.sleep, now: reg.clock.now })
  return { check, started }
}

test('a referrer the registry dropped is pushed again once it has been missing REPUSH_AFTER_MS, and the listing that confirms the re-push is judged at once', async () => {
  const reg = new MemoryRegistry()
  const ps = plans()
  const lost = ps[1]!.built.descriptor.digest
  reg.lose.set(lost, 1)
  const { logger, infos } = recording()
  const { check, started } = await attachAndCheck(reg, ps, 10_000, logger)
  expect(check.verified).toBe(true)
  expect(check.problems).toEqual([])
  const puts = reg.callsOf('PUT manifest').filter(c => c.ref === lost)
  expect(puts).toHaveLength(2)
  expect(puts[1]!.at - started).toBeGreaterThanOrEqual(REPUSH_AFTER_MS)
  expect(infos).toContainEqual(
    expect.stringMatching(
      new RegExp(`^provenance: ${lost} is stored but the referrers API has not listed it \\d+ ms after the push .*\\(1 of ${MAX_REPUSHES}\\)$`)
    )
  )
  // reads: the push's confirming listing (judged first), two reads until the re-push, the re-push's listing
  expect(reg.callsOf('GET referrers')).toHaveLength(4)
  expect(check.attempts).toBe(3)
})

test(`a referrer the registry keeps dropping is pushed again at most MAX_REPUSHES (${MAX_REPUSHES}) times, then reported as not listed`, async () => {
  const reg = new MemoryRegistry()
  const ps = plans()
  const lost = ps[1]!.built.descriptor.digest
  reg.lose.set(lost, 100)
  const { check } = await attachAndCheck(reg, ps, 20_000, recording().logger)
  expect(check.verified).toBe(false)
  expect(check.unverified).toEqual(['provenance'])
  expect(check.problems).toEqual([`provenance: artifact ${lost} is not listed among the referrers`])
  expect(reg.callsOf('PUT manifest').filter(c => c.ref === lost)).toHaveLength(1 + MAX_REPUSHES)
  // the metadata referrer, listed from the start, was never pushed again
  expect(reg.callsOf('PUT manifest').filter(c => c.ref === ps[0]!.built.descriptor.digest)).toHaveLength(1)
})

test('on the tag schema nothing is pushed again: an entry missing there is not a registry that drops referrers', async () => {
  const reg = new MemoryRegistry({ referrersApi: false })
  const ps = plans()
  const target = reg.target()
  const pushed = await publish(target, SUBJECT, ps, { prefix: P })
  // someone rewrote the referrers tag without our provenance after we confirmed it
  reg.putReferrersTag(SUBJECT.digest, [ps[0]!.built.descriptor])
  const logger = recording().logger
  const check = await checkAttached(target, SUBJECT, ps, { timeoutMs: 5_000, prefix: P, logger, sleep: reg.clock.sleep, now: reg.clock.now })
  expect(pushed.indexedBy).toBe('tag-schema')
  expect(check.verified).toBe(false)
  expect(check.problems).toEqual([`provenance: artifact ${ps[1]!.built.descriptor.digest} is not listed among the referrers`])
  expect(reg.callsOf('PUT manifest').filter(c => c.ref === ps[1]!.built.descriptor.digest)).toHaveLength(1)
})
