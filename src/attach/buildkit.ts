/**
 * BuildKit's attestations made discoverable by referrers (see listBuildKitAttestations).
 */
import { describeError } from '../errors.js'
import type { Logger } from '../log.js'
import { updateFallbackIndex } from '../oci/fallback.js'
import { referrerDescriptor } from '../oci/referrers.js'
import type { Target } from '../oci/target.js'
import { isIndex, type Descriptor } from '../oci/types.js'
import { readIndexAttestations } from '../read/attestations.js'
import type { Subject } from '../read/subject.js'
import { platformLabel, type RunDeps } from '../result.js'

/**
 * BuildKit (0.32+) stores its attestations as manifests with `subject` inside the image index and
 * writes no referrers tag, so on a registry without the referrers API nobody finds them by referrers
 * (cosign, ORAS, Kyverno, a gate on the platform digest). List each in its platform's tag-schema
 * index, with the same never-lose protocol; neither they nor the image index are rewritten. Called
 * only where publish maintained the tag schema. Best effort: our own artifacts are written and
 * verified already.
 */
export async function listBuildKitAttestations(target: Target, subject: Subject, deps: RunDeps, logger: Logger): Promise<void> {
  const byPlatform = new Map<string, Descriptor[]>()
  for (const { descriptor: a, manifest: m } of await readIndexAttestations(target, subject.indexAttestations, { logger })) {
    const platform = subject.platforms.find(p => p.digest === m?.subject?.digest)
    if (!m || !platform || isIndex(m)) continue // the legacy form has no subject: it cannot be a referrer
    byPlatform.set(platform.digest, [...(byPlatform.get(platform.digest) ?? []), referrerDescriptor(m, a.digest, a.size, a.mediaType)])
  }
  for (const platform of subject.platforms) {
    const add = byPlatform.get(platform.digest)
    if (!add) continue
    await logger.group(`Listing BuildKit's attestations for ${platformLabel(platform)}`, async () => {
      try {
        await updateFallbackIndex(target, platform, add, { logger, ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}) })
        logger.info(`listed ${add.map(d => d.digest).join(', ')} in the referrers tag of ${platform.digest}`)
      } catch (e) {
        logger.warning(`could not list BuildKit's attestations for ${platformLabel(platform)} in its referrers tag: ${describeError(e)}`)
      }
    })
  }
}
