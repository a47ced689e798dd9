/**
 * `discover`: the referrers tree of an image (referrers of referrers, as `oras discover` shows it).
 */
import type { ReferrerNode } from '../result.js'
import type { Logger } from '../log.js'
import type { Target } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { readIndexAttestations } from '../read/attestations.js'
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
  const attestations = await readIndexAttestations(target, subject.indexAttestations, opts)
  const nodes = [...top.nodes]
  for (const p of subject.platforms) {
    const own = await discoverTree(target, p, opts)
    const about = attestations.filter(a => a.about === p.digest).map((a): ReferrerNode => ({ descriptor: a.descriptor, relation: 'attestation', children: [] }))
    nodes.push({ descriptor: p, relation: 'platform', children: [...about, ...own.nodes] })
  }
  return { nodes, via: top.via }
}
