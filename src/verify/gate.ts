/**
 * The release gate: pure policy over what was found. No I/O, so every decision is unit-testable.
 */
import type { RequirementResult } from '../result.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { describeActual, describeExpected, signerMatches, type ExpectedSigner, type SignerIdentity } from '../sign/signer.js'
import type { EvidenceKind } from './classify.js'

export interface Evidence {
  digest: string
  artifactType?: string
  kinds: Set<EvidenceKind>
  /** where it was seen: a referrer of the image, an attestation inside the image index, the image's own annotations */
  source: 'referrer' | 'index-attestation' | 'annotations'
  /** set when it was found on the image index and counts for a platform in it (platforms: each) */
  of?: 'index'
  /** for metadata: the decoded document, or why it could not be read */
  document?: BuildMetadata
  problem?: string
  /**
   * For Sigstore bundles, when a signer is required: verified against the trusted root (who signed),
   * or why not. Absent: unsigned (or not checked, when no signer is required).
   */
  signature?: { state: 'signed'; identity: SignerIdentity } | { state: 'invalid'; problem: string; identity?: SignerIdentity }
}

export interface Policy {
  /** the commit the metadata must name (full sha, or a prefix of at least 7) */
  revision?: string
  /** the metadata must be at most this old */
  maxAgeMs?: number
  now: Date
  /** metadata and provenance count only when signed by this signer (verified bundles) */
  signer?: ExpectedSigner
}

/** Why this metadata document fails the policy, or undefined when it passes. */
export function policyProblem(doc: BuildMetadata, policy: Policy): string | undefined {
  if (policy.revision) {
    const commit = doc.source.commit
    const want = policy.revision.toLowerCase()
    if (!commit) return `it names no commit, but revision ${policy.revision} is required`
    const have = commit.toLowerCase()
    if (!(have === want || (want.length >= 7 && have.startsWith(want)))) return `its commit ${commit} is not the required revision ${policy.revision}`
  }
  if (policy.maxAgeMs !== undefined) {
    const created = Date.parse(doc.created)
    const age = policy.now.getTime() - created
    if (!Number.isFinite(created)) return `its created time "${doc.created}" is unreadable`
    if (age > policy.maxAgeMs) return `it was created ${doc.created}, ${formatElapsed(age)} ago, older than the allowed ${formatAge(policy.maxAgeMs)}`
  }
  return undefined
}

/** A duration as max-age takes it: the largest whole unit (`90d`, `36h`), so the message echoes what was given. */
export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s === 0) return '0s'
  if (s % 86400 === 0) return `${s / 86400}d`
  if (s % 3600 === 0) return `${s / 3600}h`
  if (s % 60 === 0) return `${s / 60}m`
  return `${s}s`
}

/** How long ago, for a person: the two largest units (`3d 4h`, `2h 5m`, `45s`). */
export function formatElapsed(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000))
  const parts: string[] = []
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1]
  ] as const) {
    if (s >= size || (unit === 's' && !parts.length)) parts.push(`${Math.floor(s / size)}${unit}`)
    s %= size
    if (parts.length === 2) break
  }
  return parts.filter(p => !/^0[dhm]$/.test(p)).join(' ')
}

function label(e: Evidence): string {
  const where =
    e.source === 'annotations'
      ? `${e.of ? 'index' : 'image'} annotations`
      : e.source === 'index-attestation'
        ? 'attestation in the index'
        : e.of
          ? 'referrer of the index'
          : 'referrer'
  return `${where} ${e.digest}${e.artifactType ? ` (${e.artifactType})` : ''}`
}

export function evaluateGate(requirements: string[], evidence: Evidence[], policy: Policy): RequirementResult[] {
  const reqs = requirements.length ? requirements : ['metadata']
  return [...new Set(reqs)].map(req => evaluateOne(req, evidence, policy))
}

/** Why a candidate for a signed requirement does not count; undefined when it does. */
function signedProblem(e: Evidence, signer: ExpectedSigner): string | undefined {
  if (!e.signature) return `${label(e)} is present but unsigned`
  if (e.signature.state === 'invalid') return `${label(e)}: ${e.signature.problem}`
  if (!signerMatches(signer, e.signature.identity)) return `${label(e)} is signed by ${describeActual(e.signature.identity)}`
  return undefined
}

/** metadata or provenance when a signer is required: only a verified bundle from that signer counts. */
function evaluateSigned(req: 'metadata' | 'provenance', evidence: Evidence[], policy: Policy, signer: ExpectedSigner): RequirementResult {
  const candidates = evidence.filter(e => e.kinds.has(req))
  const name = req === 'metadata' ? 'metadata' : 'provenance'
  if (candidates.length === 0)
    return {
      requirement: req,
      found: false,
      detail: `${name} is missing: nothing of that kind on the image, signed or not (expected a signature by ${describeExpected(signer)})`
    }
  const problems: string[] = []
  for (const c of candidates) {
    const p = signedProblem(c, signer)
    if (p) {
      problems.push(p)
      continue
    }
    if (req === 'metadata') {
      const q = c.document ? policyProblem(c.document, policy) : (c.problem ?? 'its document is unreadable')
      if (q) {
        problems.push(`${label(c)}: ${q}`)
        continue
      }
    }
    const identity = (c.signature as { identity: SignerIdentity }).identity
    const doc = req === 'metadata' && c.document ? `; commit ${c.document.source.commit ?? 'unknown'}, created ${c.document.created}` : ''
    return { requirement: req, found: true, by: label(c), signedBy: describeActual(identity), detail: `signed by ${describeActual(identity)}${doc}` }
  }
  return { requirement: req, found: false, detail: `${name} is not signed by ${describeExpected(signer)}: ${problems.join('; ')}` }
}

function evaluateOne(req: string, evidence: Evidence[], policy: Policy): RequirementResult {
  if (policy.signer && (req === 'metadata' || req === 'provenance')) return evaluateSigned(req, evidence, policy, policy.signer)
  if (req === 'metadata') {
    const candidates = evidence.filter(e => e.kinds.has('metadata'))
    if (candidates.length === 0)
      return { requirement: req, found: false, detail: 'metadata is missing: no build metadata referrer or annotations on the image' }
    const problems: string[] = []
    for (const c of candidates) {
      if (!c.document) {
        problems.push(`${label(c)}: ${c.problem ?? 'unreadable'}`)
        continue
      }
      const p = policyProblem(c.document, policy)
      if (p) {
        problems.push(`${label(c)}: ${p}`)
        continue
      }
      return { requirement: req, found: true, by: label(c), detail: `commit ${c.document.source.commit ?? 'unknown'}, created ${c.document.created}` }
    }
    return { requirement: req, found: false, detail: `metadata found but not acceptable: ${problems.join('; ')}` }
  }
  if (req === 'sbom' || req === 'provenance') {
    const hit = evidence.find(e => e.kinds.has(req))
    if (hit) return { requirement: req, found: true, by: label(hit), detail: `found ${label(hit)}` }
    return {
      requirement: req,
      found: false,
      detail:
        `${req === 'sbom' ? 'SBOM' : 'provenance'} is missing: no ${req === 'sbom' ? 'SPDX or CycloneDX' : 'SLSA provenance'} referrer or attestation ` +
        `on the image`
    }
  }
  // a literal artifactType
  const hit = evidence.find(e => e.artifactType === req)
  if (hit) return { requirement: req, found: true, by: label(hit), detail: `found ${label(hit)}` }
  return { requirement: req, found: false, detail: `artifactType ${req} is missing: no referrer of that type on the image` }
}
