/**
 * `discover --format json` in the shape `oras discover --format json` prints (ORAS 1.3: its
 * `model.Node`, a descriptor with a `reference` and nested `manifests`), so scripts written for ORAS
 * read ours: `.manifests[].reference`, `.manifests[].artifactType`, `.manifests[].manifests`.
 *
 *   { "reference": "<name>@<digest>", "mediaType", "digest", "size",
 *     "manifests": [ { "reference", "mediaType", "digest", "size", "annotations", "artifactType", "manifests": [...] } ] }
 *
 * ORAS lists only referrers of the subject there. For an image index we add one key ORAS does not
 * have, `platforms`: each platform manifest (with its `platform`) as a node whose `manifests` are
 * BuildKit's attestation manifests for it, then its referrers. A script for ORAS never sees them in
 * `.manifests`, where they would be taken for referrers of the index.
 */
import type { Descriptor } from '../oci/types.js'
import type { DiscoverResult, ReferrerNode } from '../result.js'

export interface OrasNode {
  reference: string
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  artifactType?: string
  platform?: Descriptor['platform']
  manifests?: OrasNode[]
}

/** ORAS's `FromDescriptor`: the reference by digest, then the descriptor's own fields (no urls, data). */
function node(name: string, d: Descriptor, children: OrasNode[] | undefined, withPlatform = false): OrasNode {
  return {
    reference: `${name}@${d.digest}`,
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.annotations && Object.keys(d.annotations).length ? { annotations: d.annotations } : {}),
    ...(d.artifactType ? { artifactType: d.artifactType } : {}),
    ...(withPlatform && d.platform ? { platform: d.platform } : {}),
    // ORAS omits an empty list (`omitempty`)
    ...(children?.length ? { manifests: children } : {})
  }
}

function nodes(name: string, list: ReferrerNode[]): OrasNode[] {
  return list.map(n => node(name, n.descriptor, nodes(name, n.children)))
}

export function orasDiscover(r: DiscoverResult): Record<string, unknown> {
  const name = r.image.name
  // the root always has its list, empty or not: a script reads `.manifests | length`
  const root: Record<string, unknown> = { ...node(name, r.subject, undefined), manifests: nodes(name, r.tree) }
  if (r.platforms.length) {
    root.platforms = r.platforms.map(p => node(name, p.descriptor, [...p.attestations.map(a => node(name, a, undefined)), ...nodes(name, p.referrers)], true))
  }
  return root
}
