/**
 * Who wrote an artifact, and which artifacts a writer may replace. Pure functions.
 *
 * Many writers attach to one image at once, and most of them share a job's identity: the legs of a
 * matrix share run id, job and step; two steps of one job share run id and job; a re-run shares
 * everything but the attempt, and "re-run failed jobs" re-runs only some legs. So:
 *
 * - A writer's **identity** is the CI provider, repository, workflow, job, step, run, matrix leg, and
 *   either the user's `writer-id` or the inputs that define what it attaches (metadata,
 *   metadata-file, annotations, SBOM file names, provenance). An artifact's **key** adds the subject,
 *   the kind and, for an SBOM, its file name; it is stored hashed in `<prefix>.key`.
 * - Its **attempt** orders writers of one identity: `GITHUB_RUN_ATTEMPT` on GitHub; on GitLab the job
 *   id (a retried job gets a new, higher `CI_JOB_ID` in the same pipeline). It is stored in
 *   `<prefix>.attempt`, so a reader can tell which artifact is newest.
 * - **Outside CI** (a laptop, Jenkins: no attempt to read) a run's attempt is the time it started, in
 *   milliseconds since 1970, and its identity adds the commit and the *content* of the user's
 *   metadata fields (not only the file's name): a re-run of the same commit with the same inputs
 *   replaces its own earlier artifacts, as a CI re-run does, while runs that attach different fields
 *   (parallel stages, each with its own results.json) are different writers and keep each other's.
 *   Two runs started in the same millisecond are one attempt: concurrent, as in CI.
 * - An artifact is **superseded** only by one with the same key and artifactType and a strictly
 *   higher attempt. Writers of the same attempt are concurrent by definition and never supersede each
 *   other; an artifact without an attempt (written by a version before this rule) is never superseded
 *   and never supersedes. Artifacts of other tools carry no key and are never touched.
 *
 * `supersededIn` is a function of a set of entries only, and monotone (a larger set supersedes a
 * superset), which is what lets every writer of the referrers tag schema apply it to whatever it has
 * seen without ever fighting another writer over an entry (see src/oci/tag-schema/writer.ts).
 */
import type { CiContext } from '../metadata/ci-context.js'
import { canonicalJson } from '../metadata/canonical.js'
import { digestOf } from '../oci/digest.js'
import type { Descriptor } from '../oci/types.js'

export interface WriterIdentity {
  /** what names this writer across attempts (never the attempt itself) */
  parts: string[]
  /** this writer's attempt, ordered within one identity; undefined: it never supersedes anything */
  attempt?: number
}

export interface IdentityInputs {
  /** the `writer-id` input: replaces the defining inputs in the identity */
  writerId?: string
  /** canonical JSON of the matrix leg (`toJSON(matrix)`), when in a matrix job */
  matrix?: string
  /** the inputs that define what this writer attaches, as given */
  defining: {
    metadata?: string
    metadataFile?: string
    annotations: Record<string, string>
    /** file names of the SBOMs attached */
    sboms: string[]
    provenance: boolean
  }
  /** digest of the user's metadata fields (canonical JSON): part of the identity outside CI */
  userContent?: string
  /** when this run started (ms since 1970): the attempt outside CI */
  startedAtMs?: number
}

/** Attempts are small positive integers (GitHub), job ids (GitLab) or start times in ms (outside CI); anything else is no attempt. */
function attemptOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined
  const n = Number(s)
  return n > 0 ? n : undefined
}

export function writerIdentity(ci: CiContext, id: IdentityInputs): WriterIdentity {
  const outsideCi = ci.provider !== 'github' && ci.provider !== 'gitlab'
  const defining = {
    ...id.defining,
    sboms: [...id.defining.sboms].sort(),
    // outside CI nothing else tells parallel stages apart: what they attach does
    ...(outsideCi && id.userContent !== undefined ? { userContent: id.userContent } : {})
  }
  const who = id.writerId !== undefined ? ['writer-id', id.writerId] : ['inputs', digestOf(canonicalJson(defining))]
  const parts = [ci.provider, ci.repository ?? '', ci.workflow ?? '', ci.job ?? '', ci.step ?? '', ci.runId ?? '', id.matrix ?? '', ...who]
  let attempt: number | undefined
  if (ci.provider === 'github' && ci.runId) attempt = attemptOf(ci.runAttempt)
  else if (ci.provider === 'gitlab' && ci.runId) attempt = attemptOf(ci.jobId)
  if (outsideCi) {
    // the commit keeps runs of different commits apart; the start time orders re-runs of one
    parts.push(ci.commit ?? '')
    if (id.startedAtMs !== undefined) attempt = attemptOf(String(Math.floor(id.startedAtMs)))
  }
  return attempt === undefined ? { parts } : { parts, attempt }
}

export function identityKeys(prefix: string): { key: string; attempt: string } {
  return { key: `${prefix}.key`, attempt: `${prefix}.attempt` }
}

/** The key of one artifact of a writer: 32 hex digits of a hash over the identity and what it is. */
export function attachmentKey(writer: WriterIdentity, subjectDigest: string, kind: string, extra = ''): string {
  return digestOf(JSON.stringify([subjectDigest, kind, extra, ...writer.parts])).slice('sha256:'.length, 'sha256:'.length + 32)
}

/** The annotations that carry an artifact's key and its writer's attempt. */
export function identityAnnotations(prefix: string, key: string, writer: WriterIdentity): Record<string, string> {
  const k = identityKeys(prefix)
  return { [k.key]: key, ...(writer.attempt !== undefined ? { [k.attempt]: String(writer.attempt) } : {}) }
}

interface Stamped {
  digest: string
  slot: string
  attempt: number
}

function stamped(entries: Descriptor[], prefix: string): Stamped[] {
  const k = identityKeys(prefix)
  const out: Stamped[] = []
  for (const d of entries) {
    const key = d.annotations?.[k.key]
    const attempt = attemptOf(d.annotations?.[k.attempt])
    if (key === undefined || attempt === undefined) continue
    out.push({ digest: d.digest, slot: `${d.artifactType ?? ''}\n${key}`, attempt })
  }
  return out
}

/**
 * Digests among `entries` superseded by another entry among them: same key and artifactType, a
 * strictly higher attempt.
 */
export function supersededIn(entries: Descriptor[], prefix: string): Set<string> {
  const s = stamped(entries, prefix)
  const newest = new Map<string, number>()
  for (const e of s) newest.set(e.slot, Math.max(newest.get(e.slot) ?? 0, e.attempt))
  return new Set(s.filter(e => e.attempt < (newest.get(e.slot) ?? 0)).map(e => e.digest))
}

/** Digests among `entries` that one of `ours` supersedes (what a writer deletes as its own earlier attempt). */
export function supersededBy(ours: Descriptor[], entries: Descriptor[], prefix: string): Set<string> {
  const mine = stamped(ours, prefix)
  const newest = new Map<string, number>()
  for (const e of mine) newest.set(e.slot, Math.max(newest.get(e.slot) ?? 0, e.attempt))
  return new Set(
    stamped(entries, prefix)
      .filter(e => newest.has(e.slot) && e.attempt < (newest.get(e.slot) as number))
      .map(e => e.digest)
  )
}
