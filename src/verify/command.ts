/**
 * `verify` (the release gate) and `discover`: read only.
 */
import type { Inputs } from '../inputs.js'
import type { ImageRef } from '../oci/reference.js'
import type { Target } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { baseResult, platformLabel, type Result, type RunDeps } from '../result.js'
import { resolveSubject, type Subject } from '../attach/subject.js'
import { discoverTree } from './discover.js'
import { collectEvidence } from './evidence.js'
import { evaluateGate } from './gate.js'

export async function verifyCommand(target: Target, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<Result> {
  const { logger } = deps
  const subject = await logger.group(`Resolving ${ref.original}`, () => resolveSubject(target, ref, inputs.digest))
  const result = baseResult(inputs, ref, subject.descriptor)
  const now = (deps.clock ?? (() => new Date()))()
  const policy = { now, ...(inputs.revision ? { revision: inputs.revision } : {}), ...(inputs.maxAgeMs !== undefined ? { maxAgeMs: inputs.maxAgeMs } : {}) }
  const requirements = inputs.require.length ? inputs.require : ['metadata']
  const scopes: Array<{ scope: string; descriptor: Descriptor; manifest?: Subject['manifest']; platformDigest?: string }> = []
  if (inputs.platforms === 'each' && subject.index && subject.platforms.length) {
    for (const p of subject.platforms) scopes.push({ scope: platformLabel(p), descriptor: p, platformDigest: p.digest })
  } else scopes.push({ scope: subject.index ? 'index' : 'image', descriptor: subject.descriptor, manifest: subject.manifest })

  for (const sc of scopes) {
    const ev = await logger.group(`Reading referrers of ${sc.scope} ${sc.descriptor.digest}`, () =>
      collectEvidence(target, { descriptor: sc.descriptor, ...(sc.manifest ? { manifest: sc.manifest } : {}), indexAttestations: subject.indexAttestations }, {
        prefix: inputs.annotationPrefix,
        logger,
        ...(sc.platformDigest ? { platformDigest: sc.platformDigest } : {})
      })
    )
    if (sc === scopes[0]) {
      result.referrers = ev.found.referrers.map(r => r.descriptor)
      result.via = ev.found.via
      const md = ev.evidence.find(e => e.document)
      if (md?.document) result.metadata = md.document
      const mdRef = ev.found.referrers.find(r => r.descriptor.digest === md?.digest)
      if (mdRef?.descriptor.annotations) result.annotations = mdRef.descriptor.annotations
      if (md && md.source === 'referrer') result.artifactDigest = md.digest
    }
    for (const row of evaluateGate(requirements, ev.evidence, policy)) result.gate.push({ ...row, scope: sc.scope })
  }
  result.missing = [...new Set(result.gate.filter(r => !r.found).map(r => (scopes.length > 1 ? `${r.requirement}@${r.scope}` : r.requirement)))]
  result.problems = result.gate.filter(r => !r.found).map(r => (scopes.length > 1 ? `${r.scope}: ${r.detail}` : r.detail))
  result.verified = result.problems.length === 0
  return result
}

export async function discoverCommand(target: Target, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<Result> {
  const subject = await resolveSubject(target, ref, inputs.digest)
  const result = baseResult(inputs, ref, subject.descriptor)
  const tree = await discoverTree(target, subject.descriptor, { logger: deps.logger })
  result.tree = tree.nodes
  result.via = tree.via
  result.referrers = tree.nodes.map(n => n.descriptor)
  result.verified = true
  return result
}
