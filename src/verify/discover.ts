/**
 * `discover`: the referrers tree of an image (referrers of referrers, as `oras discover` shows it).
 */
import type { Logger } from '../log.js'
import type { Target } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { findReferrers } from './referrers.js'

/** Depth of the tree: signatures of SBOMs of images are three levels; deeper is noise. */
export const MAX_DISCOVER_DEPTH = 4
/** Nodes in all, so a hostile registry cannot make discover run forever. */
export const MAX_DISCOVER_NODES = 10000

export interface ReferrerNode {
  descriptor: Descriptor
  children: ReferrerNode[]
}

export async function discoverTree(target: Target, subject: Descriptor, opts: { logger?: Logger; depth?: number } = {}): Promise<{ nodes: ReferrerNode[]; via: string }> {
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
