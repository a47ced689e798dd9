/**
 * BuildKit's attestations made discoverable by referrers (see listBuildKitAttestations).
 */
import { describeError } from '../errors.js'
import type { Logger } from '../log.js'
import { referrerDescriptor } from '../oci/referrer-descriptors.js'
import type { Reader, ReferrerPusher } from '../oci/target.js'
import { isIndex, type Descriptor } from '../oci/types.js'
import { readIndexAttestations } from '../image-reader/index-attestations.js'
import type { Subject } from '../image-reader/resolve-subject.js'
import { platformLabel, type RunDeps } from '../result.js'

/** BuildKit's attestations that name a platform of the index as their subject, by platform digest, as referrers descriptors. */
async function attestationsByPlatform(target: Reader, subject: Subject, logger: Logger): Promise<Map<string, Descriptor[]>> {
  const byPlatform = new Map<string, Descriptor[]>()
  for (const { descriptor: a, manifest: m } of await readIndexAttestations(target, subject.indexAttestations, { logger })) {
    const platform = subject.platforms.find(p => p.digest === m?.subject?.digest)
    if (!m || !platform || isIndex(m)) continue // the legacy form has no subject: it cannot be a referrer
    byPlatform.set(platform.digest, [...(byPlatform.get(platform.digest) ?? []), referrerDescriptor(m, a.digest, a.size, a.mediaType)])
  }
  return byPlatform
}

/**
 * BuildKit (0.32+) stores its attestations as manifests with `subject` inside the image index and
 * writes no referrers tag, so on a registry without the referrers API nobody finds them by referrers
 * (cosign, ORAS, Kyverno, a gate on the platform digest). The target lists each as a referrer of its
 * platform where it keeps the tag schema, with the same never-lose protocol; neither they nor the
 * image index are rewritten. A target that indexes referrers itself (a layout, the referrers API)
 * finds them already and does not ask for them, so they are read only where needed. Best effort:
 * our own artifacts are written and verified already.
 */
export async function listBuildKitAttestations(target: Reader & ReferrerPusher, subject: Subject, deps: RunDeps, logger: Logger): Promise<void> {
  let read: Promise<Map<string, Descriptor[]>> | undefined
  for (const platform of subject.platforms) {
    let add: Descriptor[] = []
    try {
      const by = await target.indexReferrers(
        platform,
        async () => {
          read ??= attestationsByPlatform(target, subject, logger)
          add = (await read).get(platform.digest) ?? []
          return add
        },
        deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}
      )
      if (by === 'tag-schema' && add.length)
        logger.info(`listed BuildKit's attestations ${add.map(d => d.digest).join(', ')} in the referrers tag of ${platform.digest}`)
    } catch (e) {
      logger.warning(`could not list BuildKit's attestations for ${platformLabel(platform)} in its referrers tag: ${describeError(e)}`)
    }
  }
}
