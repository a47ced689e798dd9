/**
 * The release gate: pure policy over what was found. No I/O, so every decision is unit-testable.
 *
 * Presence (no signer): a referrer counts by its artifactType and, for in-toto statements, its
 * predicate type; each row says whether what counted was signed and verified, unsigned, or signed
 * but not checked. With a signer, metadata, provenance, signatures and predicate types count only as
 * a Sigstore bundle whose verified statement serves them, names this image, and is signed by that
 * signer; annotations are never evidence there.
 */
import { formatAge, formatElapsed } from './ages.js'
import { privatePartOf, type BuildMetadata } from '../metadata/schema.js'
import type { RequirementResult } from '../result.js'
import { describeActual, describeExpected, signerMatches, type ExpectedSigner, type SignerIdentity } from '../sign/signer.js'
import { kindsOfPredicate } from './classify.js'
import { DEFAULT_REQUIREMENT, parseRequirement, type EvidenceKind, type Requirement } from './requirements.js'

export type SignatureState =
  /** verified against the trusted root: who signed */
  | { state: 'verified'; identity: SignerIdentity }
  /** a bundle whose signature, certificate, evidence or subject did not verify */
  | { state: 'invalid'; problem: string; identity?: SignerIdentity }
  /** a bundle that was not checked (no signer and no trusted root given) */
  | { state: 'unchecked' }

export interface Evidence {
  digest: string
  artifactType?: string
  /** what it is evidence of: for a verified bundle, from its signed statement only */
  kinds: Set<EvidenceKind>
  /** its statements' predicate types: the verified statement's, else those it announces */
  predicateTypes?: string[]
  /** the predicate types its annotations announce, when its verified statement has another */
  announced?: string[]
  /** where it was seen: a referrer of the image, an attestation inside the image index, the image's own annotations */
  source: 'referrer' | 'index-attestation' | 'annotations'
  /** set when it was found on the image index and counts for a platform in it (platforms: each) */
  of?: 'index'
  /** for metadata: the decoded document, its digest, or why it could not be read */
  document?: BuildMetadata
  documentDigest?: string
  problem?: string
  /** `org.opencontainers.image.created` of the referrer, when it has one */
  created?: string
  /** Sigstore bundles only; absent: not a bundle (unsigned) */
  signature?: SignatureState
  /** a bundle that was read: its statement (verified when the signature is) — what a policy's `provenance` reads */
  statement?: unknown
}

export interface Policy {
  /** the commit the metadata must name (full sha, or a prefix of at least 7) */
  revision?: string
  /** the metadata must be at most this old */
  maxAgeMs?: number
  now: Date
  /** metadata, provenance, signatures and predicate types count only when signed by this signer (verified bundles) */
  signer?: ExpectedSigner
  /**
   * With an identity: whether it opened the private part of the document that passed (by the digest of
   * the evidence that carries it); `problem` when it did not (src/private/age.ts openPrivate)
   */
  opened?: { digest: string; problem?: string }
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

export function label(e: Evidence): string {
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

/** How a row's evidence was signed, in words. */
export function signatureOf(e: Evidence): string {
  const s = e.signature
  if (!s) return 'unsigned'
  if (s.state === 'verified') return `signed by ${describeActual(s.identity)}`
  if (s.state === 'unchecked') return 'signed, signature not checked (no signer or trusted-root given)'
  return `signature invalid: ${s.problem}`
}

/** Does this evidence serve the requirement (by its verified statement, when it has one)? */
function serves(e: Evidence, r: Requirement): boolean {
  if (r.kind === 'private') return false
  if (r.kind === 'predicate') return e.predicateTypes?.includes(r.predicateType) ?? false
  if (r.kind === 'artifactType') return e.artifactType === r.artifactType
  return e.kinds.has(r.kind)
}

/** Does its annotation claim to serve it (whatever its verified statement says)? */
function claims(e: Evidence, r: Requirement): boolean {
  if (serves(e, r)) return true
  const announced = e.announced ?? []
  if (r.kind === 'predicate') return announced.includes(r.predicateType)
  if (r.kind === 'artifactType' || r.kind === 'private') return false
  return announced.some(p => kindsOfPredicate(p).includes(r.kind as EvidenceKind))
}

/** Which requirements need a signature when a signer is given: everything that is an in-toto statement. */
function needsSigner(r: Requirement): boolean {
  return r.kind === 'metadata' || r.kind === 'provenance' || r.kind === 'signature' || r.kind === 'predicate'
}

export function evaluateGate(requirements: string[], evidence: Evidence[], policy: Policy): RequirementResult[] {
  const reqs = (requirements.length ? requirements : [DEFAULT_REQUIREMENT]).map(parseRequirement).filter((r): r is Requirement => r !== undefined)
  const seen = new Set<string>()
  const rows: RequirementResult[] = []
  for (const r of reqs) {
    if (seen.has(r.name)) continue
    seen.add(r.name)
    rows.push(evaluateOne(r, evidence, policy))
  }
  return rows
}

/** Why a candidate for a signed requirement does not count; undefined when it does. */
function signedProblem(e: Evidence, r: Requirement, signer: ExpectedSigner): string | undefined {
  if (!e.signature) return `${label(e)} is present but unsigned`
  if (e.signature.state === 'unchecked') return `${label(e)} was not checked`
  if (e.signature.state === 'invalid') return `${label(e)}: ${e.signature.problem}`
  if (!signerMatches(signer, e.signature.identity)) return `${label(e)} is signed by ${describeActual(e.signature.identity)}`
  if (!serves(e, r))
    return (
      `${label(e)} is signed by ${describeActual(e.signature.identity)}, but its signed statement is ${e.predicateTypes?.join(', ') || 'of no predicate type'}, ` +
      `not ${r.name}${e.announced?.length ? ` (its annotation says ${e.announced.join(', ')})` : ''}`
    )
  return undefined
}

/** Newest first, by the document's (or the referrer's) creation time; unreadable times last. */
function newestFirst(a: Evidence, b: Evidence): number {
  const t = (e: Evidence) => {
    const v = Date.parse(e.document?.created ?? e.created ?? '')
    return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY
  }
  return t(b) - t(a)
}

export interface Choice {
  chosen?: Evidence
  /** every other candidate, with why it was not taken: `line` names it, `reason` does not */
  passedOver: Array<{ evidence: Evidence; reason: string; line: string }>
}

/** `referrer X (type) is present but unsigned` → `is present but unsigned`; `referrer X: its commit …` → `its commit …`. */
function passed(e: Evidence, line: string): Choice['passedOver'][number] {
  const l = label(e)
  return { evidence: e, line, reason: line.startsWith(l) ? line.slice(l.length).replace(/^:?\s*/, '') : line }
}

/**
 * The metadata document that serves the gate and the outputs: the newest that meets every condition
 * (revision, max-age, and with a signer: signed by it, naming this image), a platform's own before its
 * index's. Pure.
 */
export function chooseMetadata(evidence: Evidence[], policy: Policy): Choice {
  const r: Requirement = { kind: 'metadata', name: 'metadata' }
  const candidates = evidence.filter(e => claims(e, r))
  const problems = new Map<Evidence, string>()
  for (const c of candidates) {
    const unsigned = policy.signer ? signedProblem(c, r, policy.signer) : undefined
    const q = unsigned ? undefined : c.document ? policyProblem(c.document, policy) : (c.problem ?? 'its document is unreadable')
    if (unsigned ?? q) problems.set(c, unsigned ?? `${label(c)}: ${q}`)
  }
  // a platform's own document before what its index carries for every platform; then the newest
  const chosen = candidates.filter(c => !problems.has(c)).sort((a, b) => Number(a.of === 'index') - Number(b.of === 'index') || newestFirst(a, b))[0]
  // the others in the order they were listed, each with its reason
  const passedOver = candidates
    .filter(c => c !== chosen)
    .map(c => passed(c, problems.get(c) ?? `${label(c)}: an older document than the one taken (${chosen?.digest})`))
  return { ...(chosen ? { chosen } : {}), passedOver }
}

function row(r: Requirement, e: Evidence, detail: string, choice?: Choice): RequirementResult {
  const signedBy = e.signature?.state === 'verified' ? describeActual(e.signature.identity) : undefined
  return {
    requirement: r.name,
    found: true,
    by: label(e),
    evidence: e.digest,
    signature: signatureOf(e),
    ...(signedBy ? { signedBy } : {}),
    detail,
    ...(choice?.passedOver.length ? { passedOver: choice.passedOver.map(p => ({ by: label(p.evidence), reason: p.reason })) } : {})
  }
}

const NAMES: Record<string, string> = { metadata: 'metadata', sbom: 'SBOM', provenance: 'provenance', signature: 'signature', private: 'private part' }
const nameOf = (r: Requirement) => NAMES[r.kind] ?? r.name

function evaluateMetadata(r: Requirement, evidence: Evidence[], policy: Policy): RequirementResult {
  const choice = chooseMetadata(evidence, policy)
  const c = choice.chosen
  if (c?.document) {
    const doc = `commit ${c.document.source.commit ?? 'unknown'}, created ${c.document.created}`
    return row(r, c, policy.signer ? `${signatureOf(c)}; ${doc}` : `${doc} (${signatureOf(c)})`, choice)
  }
  const reasons = choice.passedOver.map(p => p.line)
  if (reasons.length === 0)
    return {
      requirement: r.name,
      found: false,
      detail: policy.signer
        ? `metadata is missing: nothing of that kind on the image, signed or not (expected a signature by ${describeExpected(policy.signer)})`
        : 'metadata is missing: no build metadata referrer or annotations on the image'
    }
  const detail = policy.signer
    ? `metadata is not signed by ${describeExpected(policy.signer)}: ${reasons.join('; ')}`
    : `metadata found but not acceptable: ${reasons.join('; ')}`
  return { requirement: r.name, found: false, detail, passedOver: choice.passedOver.map(p => ({ by: label(p.evidence), reason: p.reason })) }
}

function evaluateSigned(r: Requirement, evidence: Evidence[], signer: ExpectedSigner): RequirementResult {
  const candidates = evidence.filter(e => claims(e, r)).sort(newestFirst)
  if (candidates.length === 0)
    return {
      requirement: r.name,
      found: false,
      detail: `${nameOf(r)} is missing: nothing of that kind on the image, signed or not (expected a signature by ${describeExpected(signer)})`
    }
  const problems: string[] = []
  for (const c of candidates) {
    const p = signedProblem(c, r, signer)
    if (!p) return row(r, c, signatureOf(c))
    problems.push(p)
  }
  return { requirement: r.name, found: false, detail: `${nameOf(r)} is not signed by ${describeExpected(signer)}: ${problems.join('; ')}` }
}

function missingDetail(r: Requirement): string {
  if (r.kind === 'sbom') return 'SBOM is missing: no SPDX or CycloneDX referrer or attestation on the image'
  if (r.kind === 'provenance') return 'provenance is missing: no SLSA provenance referrer or attestation on the image'
  if (r.kind === 'signature') return `signature is missing: no cosign signature (a Sigstore bundle over this image) on the image`
  if (r.kind === 'predicate') return `predicate type ${r.predicateType} is missing: no in-toto statement of that type on the image`
  return `artifactType ${r.name} is missing: no referrer of that type on the image`
}

/**
 * `private`: the metadata document that passed (chooseMetadata) carries a private part; with an
 * identity given, one that identity opens. Nothing of the part is said but whether it is there.
 */
function evaluatePrivate(r: Requirement, evidence: Evidence[], policy: Policy): RequirementResult {
  const c = chooseMetadata(evidence, policy).chosen
  if (!c?.document) return { requirement: r.name, found: false, detail: 'private part is missing: no metadata document passed the gate to carry one' }
  if (!privatePartOf(c.document))
    return { requirement: r.name, found: false, detail: `private part is missing: the metadata document that passed (${label(c)}) has none` }
  const problem = policy.opened?.digest === c.digest ? policy.opened.problem : undefined
  if (problem) return { requirement: r.name, found: false, detail: `private part of ${label(c)}: ${problem}` }
  const how = policy.opened?.digest === c.digest ? 'opened with the identity given' : 'encrypted; no identity given to open it'
  return row(r, c, `a private part in the metadata document (${how})`)
}

function evaluateOne(r: Requirement, evidence: Evidence[], policy: Policy): RequirementResult {
  if (r.kind === 'metadata') return evaluateMetadata(r, evidence, policy)
  if (r.kind === 'private') return evaluatePrivate(r, evidence, policy)
  if (policy.signer && needsSigner(r)) return evaluateSigned(r, evidence, policy.signer)
  // presence: the newest that serves it, preferring one whose signature verified
  const hits = evidence.filter(e => serves(e, r)).sort(newestFirst)
  const hit = hits.find(e => e.signature?.state === 'verified') ?? hits.find(e => e.signature?.state !== 'invalid') ?? hits[0]
  if (hit) return row(r, hit, `found ${label(hit)} (${signatureOf(hit)})`)
  return { requirement: r.name, found: false, detail: missingDetail(r) }
}
