/**
 * `verify`: the release gate, read only.
 */
import type { Inputs } from '../inputs.js'
import type { ImageRef } from '../oci/reference.js'
import type { Reader, ReferrerLister } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { platformLabel, type GateRow, type RunDeps, type VerifyResult } from '../result.js'
import { readIndexAttestations } from '../image-reader/index-attestations.js'
import { resolveSubject, type Subject } from '../image-reader/resolve-subject.js'
import { collectEvidence, withIndexEvidence, type BundleVerifier, type SubjectEvidence } from './evidence.js'
import { chooseMetadata, evaluateGate, label, type Policy } from './gate.js'
import { identityOpener } from '../private/open.js'
import { loadPolicy, policyRows } from '../policy/rows.js'

export async function verifyCommand(target: Reader & ReferrerLister, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<VerifyResult> {
  const { logger } = deps
  // before any request: the identities (an unreadable one is exit 2) and the policy, parsed and
  // type-checked (a bad expression is exit 2 with nothing fetched); each loads its code only when given
  const opener = await identityOpener(inputs.identity, deps.env, deps.cwd)
  const conditions = await loadPolicy(inputs, deps.cwd, opener !== undefined)
  if (conditions) logger.info(`policy: ${conditions.conditions.length} condition(s), type-checked`)
  const subject = await logger.group(`Resolving ${ref.original}`, () => resolveSubject(target, ref, inputs.digest))
  const now = (deps.clock ?? (() => new Date()))()
  const policy = {
    now,
    ...(inputs.revision ? { revision: inputs.revision } : {}),
    ...(inputs.maxAgeMs !== undefined ? { maxAgeMs: inputs.maxAgeMs } : {}),
    ...(inputs.signer ? { signer: inputs.signer } : {})
  }
  // a required signer (or a trusted root given): the trusted root first (a file, or Sigstore's TUF
  // repository), then every bundle is checked against it
  let verifyBundle: BundleVerifier | undefined
  if (inputs.signer || inputs.trustedRoot) {
    const { loadTrust, checkBundle } = await import('../sign/sigstore-verify.js')
    const trust = await logger.group('Loading the Sigstore trusted root', () => loadTrust(inputs.trustedRoot))
    verifyBundle = bytes => checkBundle(bytes, trust)
  }
  const attestations = await readIndexAttestations(target, subject.indexAttestations, { logger, registryFailures: 'throw' })
  const eachPlatform = inputs.platforms === 'each' && subject.index !== undefined && subject.platforms.length > 0
  const read = (scope: string, descriptor: Descriptor, manifest?: Subject['manifest'], platformDigest?: string) =>
    logger.group(`Reading referrers of ${scope} ${descriptor.digest}`, () =>
      collectEvidence(
        target,
        { descriptor, ...(manifest ? { manifest } : {}), indexAttestations: platformDigest || !eachPlatform ? attestations : [] },
        {
          prefix: inputs.annotationPrefix,
          logger,
          ...(platformDigest ? { platformDigest } : {}),
          ...(verifyBundle ? { verifyBundle } : {})
        }
      )
    )
  // platforms: each → one row per platform and requirement; a platform satisfies a requirement
  // through its own referrers, BuildKit's attestations for it, or what the index carries (for all)
  const scopes: Array<{ scope: string; descriptor: Descriptor; manifest?: Subject['manifest']; platformDigest?: string }> = []
  if (eachPlatform) {
    for (const p of subject.platforms) scopes.push({ scope: platformLabel(p), descriptor: p, platformDigest: p.digest })
  } else scopes.push({ scope: subject.index ? 'index' : 'image', descriptor: subject.descriptor, manifest: subject.manifest })
  const onIndex = eachPlatform ? await read('index', subject.descriptor, subject.manifest) : undefined

  // the outputs describe the subject: the index itself when platforms: each, else the one scope
  let outputs = onIndex ? subjectOutputs(onIndex, policy, subject.manifest.annotations) : undefined
  const gate: GateRow[] = []
  // the SBOMs and statements a policy reads, each read once for all scopes
  const layerReads = new Map<string, Promise<Uint8Array>>()
  for (const sc of scopes) {
    const own = await read(sc.scope, sc.descriptor, sc.manifest, sc.platformDigest)
    outputs ??= subjectOutputs(own, policy, sc.manifest?.annotations)
    const evidence = onIndex && sc.platformDigest ? withIndexEvidence(own.evidence, onIndex.evidence, sc.platformDigest) : own.evidence
    // the private part of the document that passed, opened with the identity given (never logged)
    const chosen = chooseMetadata(evidence, policy).chosen
    const opened = opener && chosen?.document ? await opener.open(chosen.document) : undefined
    const scoped: Policy =
      opened && chosen ? { ...policy, opened: { digest: chosen.digest, ...('problem' in opened ? { problem: opened.problem } : {}) } } : policy
    for (const row of evaluateGate(inputs.require, evidence, scoped)) gate.push({ ...row, scope: sc.scope })
    if (conditions) {
      const facts = {
        target,
        ref,
        subject,
        evidence,
        found: onIndex ? { ...own.found, referrers: [...own.found.referrers, ...onIndex.found.referrers] } : own.found,
        attestations,
        policy: scoped,
        prefix: inputs.annotationPrefix,
        logger,
        layerReads,
        ...(chosen?.document ? { metadata: chosen.document } : {}),
        ...(opened && 'plaintext' in opened ? { private: opened.plaintext } : {})
      }
      const carrier = chosen ? { digest: chosen.digest, by: label(chosen) } : undefined
      for (const row of await policyRows(conditions, facts, carrier)) gate.push({ ...row, scope: sc.scope })
    }
  }
  const failed = gate.filter(r => !r.found)
  // a condition's line names it: `policy metadata.source.ref == "refs/heads/main" is false`
  const line = (r: GateRow) => (r.kind === 'policy' ? `policy ${r.requirement} ${r.detail}` : r.detail)
  const problems = failed.map(r => (eachPlatform ? `${r.scope}: ${line(r)}` : line(r)))
  return {
    command: 'verify',
    image: ref,
    subject: subject.descriptor,
    referrers: [],
    ...outputs,
    gate,
    verified: problems.length === 0,
    missing: [...new Set(failed.map(r => (eachPlatform ? `${r.requirement}@${r.scope}` : r.requirement)))],
    problems,
    notes: []
  }
}

/**
 * What the outputs say of the subject: its referrers, and the metadata document that passed (the
 * newest that meets every condition) with the manifest that carries it and that manifest's
 * annotations (the image's own, for a document written in annotations mode).
 */
function subjectOutputs(
  ev: SubjectEvidence,
  policy: Policy,
  ownAnnotations: Record<string, string> | undefined
): Pick<VerifyResult, 'referrers' | 'via' | 'metadata' | 'annotations' | 'artifactDigest' | 'metadataDigest'> {
  const base = { referrers: ev.found.referrers.map(r => r.descriptor), via: ev.found.via }
  const md = chooseMetadata(ev.evidence, policy).chosen
  if (!md?.document) return base
  // a signed statement is reported with the metadata artifact that carries the same document, if any
  const carrier = (md.signature ? ev.evidence.find(e => e.source === 'referrer' && !e.signature && e.documentDigest === md.documentDigest) : md) ?? md
  const annotations =
    carrier.source === 'annotations' ? ownAnnotations : ev.found.referrers.find(r => r.descriptor.digest === carrier.digest)?.descriptor.annotations
  return {
    ...base,
    metadata: md.document,
    metadataDigest: carrier.digest,
    ...(annotations ? { annotations } : {}),
    ...(carrier.source === 'referrer' ? { artifactDigest: carrier.digest } : {})
  }
}
