/**
 * Idempotent re-runs: an SBOM or provenance whose content this writer already attached to the
 * subject is not attached again. Each such artifact carries `<prefix>.content-digest` (the digest
 * of its layer: the SBOM file, the provenance statement, which records no build times), so the
 * referrers listing alone tells whether it is there.
 *
 * Only this writer's own entries count (the same key: src/attach/identity.ts): an entry of another
 * writer can be superseded by that writer's later attempt, and a skipped artifact of ours would go
 * with it. Nothing here removes or supersedes anything, so the rules of src/oci/tag-schema/writer.ts and
 * identity.ts are untouched: a skipped plan simply adds nothing.
 */
import type { Logger } from '../log.js'
import type { ReferrerLister } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { identityKeys } from './identity.js'
import type { PlannedArtifact } from './publish.js'

/** The annotation that names what an SBOM or provenance artifact attests. */
export function contentDigestKey(prefix: string): string {
  return `${prefix}.content-digest`
}

export interface Deduped {
  /** to push */
  toWrite: PlannedArtifact[]
  /** already on the subject: each as the listed entry it found (to read back, never to push) */
  attached: PlannedArtifact[]
  /** both, in the order of the plans: what the read-back checks and the output lists */
  all: PlannedArtifact[]
}

/** Split `plans` against the subject's listed referrers: same artifactType, same key, same content. */
export function splitAttached(plans: PlannedArtifact[], listed: Descriptor[], prefix: string): Deduped {
  const keys = identityKeys(prefix)
  const contentKey = contentDigestKey(prefix)
  const toWrite: PlannedArtifact[] = []
  const attached: PlannedArtifact[] = []
  const all: PlannedArtifact[] = []
  for (const p of plans) {
    const want = p.built.descriptor
    const found =
      p.contentDigest === undefined
        ? undefined
        : listed.find(
            d =>
              d.artifactType === want.artifactType &&
              d.annotations?.[keys.key] === p.key &&
              d.annotations?.[contentKey] === p.contentDigest &&
              d.digest !== want.digest
          )
    const x = found ? { ...p, label: `${p.label} (already attached)`, built: { ...p.built, descriptor: found }, blobs: [], existing: true } : p
    ;(found ? attached : toWrite).push(x)
    all.push(x)
  }
  return { toWrite, attached, all }
}

/** List the subject's referrers once, when some plan could already be there, and split the plans. */
export async function skipAttached(target: ReferrerLister, subject: Descriptor, plans: PlannedArtifact[], prefix: string, logger: Logger): Promise<Deduped> {
  if (!plans.some(p => p.contentDigest !== undefined)) return { toWrite: plans, attached: [], all: plans }
  const listing = await target.listReferrers(subject)
  const split = splitAttached(plans, listing.descriptors, prefix)
  for (const a of split.attached)
    logger.info(`${a.label}: this writer attached the same content to ${subject.digest} as ${a.built.descriptor.digest}; not attaching it again`)
  return split
}
