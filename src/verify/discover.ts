/**
 * `discover`: the referrers tree of an image (referrers of referrers, as `oras discover` shows it).
 */
import type { ReferrerNode } from '../result.js'
import { describeError } from '../errors.js'
import type { Logger } from '../log.js'
import { attestedDigest } from '../oci/buildkit.js'
import type { Target } from '../oci/target.js'
import { parseManifest, type Descriptor } from '../oci/types.js'
import { findReferrers } from '../read/referrers.js'

/** Depth of the tree: an image's SBOM, its attestation, that one's signature, and one more; deeper is noise. */
export const MAX_DISCOVER_DEPTH = 4
/** Nodes in all, so a hostile registry cannot make discover run forever. */
export const MAX_DISCOVER_NODES = 10000

export async function discoverTree(
  target: Target,
  subject: Descriptor,
  opts: { logger?: Logger; depth?: number } = {}
): Promise<{ nodes: ReferrerNode[]; via: string }> {
  let count = 0
  let via = ''
  const walk = async (s: Descriptor, depth: number): Promise<ReferrerNode[]> => {
    const found = await findReferrers(target, s, opts.logger ? { logger: opts.logger } : {})
    if (!via) via = found.via
    const nodes: ReferrerNode[] = []
    for (const r of found.referrers) {
      if (++count > MAX_DISCOVER_NODES) break
      nodes.push({ descriptor: r.descriptor, children: depth + 1 < (opts.depth ?? MAX_DISCOVER_DEPTH) ? await walk(r.descriptor, depth + 1) : [] })
    }
    return nodes
  }
  const nodes = await walk(subject, 0)
  return { nodes, via }
}

/**
 * An image index as `discover` shows it: the index's referrers, then each platform manifest with the
 * attestations BuildKit stored for it inside the index and its own referrers tree.
 */
export async function discoverIndexTree(
  target: Target,
  subject: { descriptor: Descriptor; platforms: Descriptor[]; indexAttestations: Descriptor[] },
  opts: { logger?: Logger } = {}
): Promise<{ nodes: ReferrerNode[]; via: string }> {
  const top = await discoverTree(target, subject.descriptor, opts)
  const about = new Map<string, string | undefined>()
  for (const a of subject.indexAttestations) {
    let platform = attestedDigest(a, undefined)
    if (!platform) {
      try {
        platform = attestedDigest(a, parseManifest((await target.fetchManifest(a)).bytes))
      } catch (e) {
        opts.logger?.warning(`could not read attestation manifest ${a.digest}: ${describeError(e)}`)
      }
    }
    about.set(a.digest, platform)
  }
  const nodes = [...top.nodes]
  for (const p of subject.platforms) {
    const own = await discoverTree(target, p, opts)
    const attestations = subject.indexAttestations
      .filter(a => about.get(a.digest) === p.digest)
      .map((a): ReferrerNode => ({ descriptor: a, relation: 'attestation', children: [] }))
    nodes.push({ descriptor: p, relation: 'platform', children: [...attestations, ...own.nodes] })
  }
  return { nodes, via: top.via }
}
