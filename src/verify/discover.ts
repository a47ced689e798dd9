/**
 * `discover`: the referrers tree of an image, as `oras discover` shows it (referrers of referrers, to
 * `depth` levels, optionally only one artifactType at every level, as ORAS filters), and for an
 * image index each platform manifest with the attestations BuildKit stored for it inside the index
 * and its own referrers. It reports what is there; it never judges.
 */
import { UsageError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { Logger } from '../log.js'
import { ArtifactType } from '../oci/media-types.js'
import type { ImageRef } from '../oci/reference.js'
import type { Reader, ReferrerLister } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { readIndexAttestations } from '../image-reader/index-attestations.js'
import { findReferrers, type FindOptions } from '../image-reader/find-referrers.js'
import { resolveSubject } from '../image-reader/resolve-subject.js'
import type { DiscoverResult, PlatformNode, ReferrerNode, RunDeps } from '../result.js'
import { classify, needsManifest } from './classify.js'
import { isArtifactKind } from './requirements.js'

/** Nodes in all, so a hostile registry cannot make discover run forever. */
export const MAX_DISCOVER_NODES = 10000

interface WalkOptions {
  logger?: Logger
  /** levels: 1 lists the subject's referrers only */
  depth: number
  /** an artifactType (filtered by the registry where it can), or a kind (metadata, sbom, provenance: judged as the gate judges) */
  artifactType?: string
  /** manifests already read (BuildKit's attestations in the index), by digest: not fetched again */
  known?: FindOptions['known']
}

/** The referrers of `subject` and theirs, `depth` levels deep; `via`: how the first listing was read. */
export async function discoverTree(target: Reader & ReferrerLister, subject: Descriptor, opts: WalkOptions): Promise<{ nodes: ReferrerNode[]; via: string }> {
  let count = 0
  let via = ''
  const walk = async (s: Descriptor, level: number): Promise<ReferrerNode[]> => {
    const kind = isArtifactKind(opts.artifactType) ? opts.artifactType : undefined
    const found = await findReferrers(target, s, {
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.artifactType && !kind ? { artifactType: opts.artifactType } : {}),
      ...(kind ? { fetchIf: needsManifest } : {}),
      ...(opts.known ? { known: opts.known } : {})
    })
    if (!via) via = found.via
    const nodes: ReferrerNode[] = []
    for (const r of found.referrers) {
      if (kind && !classify(r.descriptor, r.manifest).has(kind)) continue
      if (++count > MAX_DISCOVER_NODES) break
      nodes.push({ descriptor: r.descriptor, children: level + 1 < opts.depth ? await walk(r.descriptor, level + 1) : [] })
    }
    return nodes
  }
  const nodes = await walk(subject, 0)
  return { nodes, via }
}

/**
 * Each platform of an index: BuildKit's attestations for it (read from the index), then its own
 * referrers. An attestation in the OCI-artifact form has `subject` = the platform, so a registry
 * with the referrers API (or the tag schema attach keeps) lists it too: it is shown once, as BuildKit's.
 */
async function discoverPlatforms(
  target: Reader & ReferrerLister,
  subject: { platforms: Descriptor[]; indexAttestations: Descriptor[] },
  opts: WalkOptions
): Promise<PlatformNode[]> {
  const attestations = await readIndexAttestations(target, subject.indexAttestations, opts.logger ? { logger: opts.logger } : {})
  const out: PlatformNode[] = []
  const known = new Map(attestations.map(a => [a.descriptor.digest, a]))
  for (const p of subject.platforms) {
    const own = await discoverTree(target, p, { ...opts, known })
    const wanted = opts.artifactType
    const about = attestations
      .filter(a => a.about === p.digest)
      .filter(a => !wanted || (isArtifactKind(wanted) ? classify(a.descriptor, a.manifest).has(wanted) : wanted === ArtifactType.BuildKitAttestation))
      .map(a => a.descriptor)
    const shown = new Set(about.map(a => a.digest))
    out.push({ descriptor: p, attestations: about, referrers: own.nodes.filter(n => !shown.has(n.descriptor.digest)) })
  }
  return out
}

export async function discoverCommand(target: Reader & ReferrerLister, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<DiscoverResult> {
  const { logger } = deps
  // the private part is a field of the document, not a referrer: get reads it
  if (inputs.artifactType === 'private')
    throw new UsageError('discover: artifact-type private is for get, which reads the private part with an identity', {
      hint: 'give metadata to see the documents'
    })
  const subject = await logger.group(`Resolving ${ref.original}`, () => resolveSubject(target, ref, inputs.digest))
  const opts: WalkOptions = { logger, depth: inputs.depth, ...(inputs.artifactType ? { artifactType: inputs.artifactType } : {}) }
  const tree = await logger.group(`Reading referrers of ${subject.descriptor.digest}`, () => discoverTree(target, subject.descriptor, opts))
  const platforms = subject.index ? await logger.group('Reading the platforms of the index', () => discoverPlatforms(target, subject, opts)) : []
  return {
    command: 'discover',
    image: ref,
    subject: subject.descriptor,
    tree: tree.nodes,
    platforms,
    ...(tree.via ? { via: tree.via } : {}),
    ...(inputs.artifactType ? { artifactType: inputs.artifactType } : {}),
    depth: inputs.depth,
    notes: []
  }
}
