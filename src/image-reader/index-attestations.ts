/**
 * BuildKit's attestation manifests inside an image index, read once per command: verify (evidence
 * for each platform), discover (the tree) and attach (listing them for referrers) all start here.
 */
import { describeError, isBug, isRegistryFailure } from '../errors.js'
import type { Logger } from '../log.js'
import { attestedDigest } from '../oci/buildkit-attestations.js'
import type { Reader } from '../oci/target.js'
import { parseManifest, type Descriptor, type Manifest } from '../oci/types.js'

export interface IndexAttestation {
  /** the entry in the index */
  descriptor: Descriptor
  /** the attestation manifest; absent when it could not be read (a warning said why) */
  manifest?: Manifest
  /** the platform manifest it describes: its annotation (legacy form), else its `subject` */
  about?: string
}

/**
 * Fetch and parse each attestation manifest of the index once. One that cannot be read is warned
 * about and kept without its manifest; `registryFailures: 'throw'` (the gate) ends the command
 * instead when the registry itself failed, so the gate never reports unread evidence as missing.
 */
export async function readIndexAttestations(
  target: Reader,
  entries: Descriptor[],
  opts: { logger?: Logger; registryFailures?: 'throw' | 'warn' } = {}
): Promise<IndexAttestation[]> {
  const out: IndexAttestation[] = []
  for (const descriptor of entries) {
    try {
      const manifest = parseManifest((await target.fetchManifest(descriptor)).bytes, `attestation manifest ${descriptor.digest}`)
      const about = attestedDigest(descriptor, manifest)
      out.push({ descriptor, manifest, ...(about ? { about } : {}) })
    } catch (e) {
      if ((opts.registryFailures === 'throw' && isRegistryFailure(e)) || isBug(e)) throw e
      opts.logger?.warning(`could not read BuildKit's attestation manifest ${descriptor.digest}: ${describeError(e)}`)
      const about = attestedDigest(descriptor, undefined)
      out.push({ descriptor, ...(about ? { about } : {}) })
    }
  }
  return out
}
