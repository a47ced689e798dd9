/**
 * Writing the referrers tag schema on registries without the referrers API.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests-with-subject
 *
 * The index tagged `<alg>-<hex>` is shared by every tool that attaches to the subject (cosign, ORAS,
 * sigstore, other jobs of ours) and distribution has no compare-and-swap (it ignores `If-Match`), so
 * a plain read-modify-write loses entries when two writers overlap. The protocol here:
 *
 * 1. Read the index; merge our entries into it, keeping every other entry verbatim, plus every entry
 *    this writer has seen in any earlier read (so a writer repairs what others lost, not only its own).
 * 2. A base older than STALE_BASE_MS is not written from: read again. So any write lands within
 *    STALE_BASE_MS (+ request latency) of the read it was computed from.
 * 3. After our PUT lands at time t, wait SETTLE_MS (> STALE_BASE_MS + latency) and read again. Every
 *    writer that read before t has landed by then; a writer that read after t saw our entries and keeps
 *    them. So if our entries are present at the confirming read, no write based on a pre-t read can
 *    remove them any more; if they are missing, someone overwrote us: re-merge (after jitter) and repeat.
 *
 * Why it converges: each round either confirms or observes a clobber by a writer that read before our
 * PUT; jitter de-synchronises competing writers, and every writer carries all entries it has seen, so
 * each landed write only grows the union. With N concurrent writers, rounds are bounded by N in the
 * worst case; FALLBACK_MAX_ROUNDS caps it and reports a clear error rather than a silent loss.
 * A confirming read is also what verification needs, so it costs no extra request.
 */
import { OciError, isOciError } from '../errors.js'
import type { Logger } from '../log.js'
import { MediaType } from './media-types.js'
import { editReferrersIndex, fallbackTag } from './referrers.js'
import type { Target } from './target.js'
import { isIndex, parseManifest, type Descriptor, type ImageIndex } from './types.js'

/** A base read longer ago than this is re-read before it is written from. */
export const STALE_BASE_MS = 750
/** Wait between our write and the confirming read: longer than STALE_BASE_MS plus a request's latency. */
export const SETTLE_MS = 1200
/** Rounds before giving up with an error (never a silent loss). */
export const FALLBACK_MAX_ROUNDS = 20
/** Transient failures of one PUT (500 while the tag is rewritten, MANIFEST_BLOB_UNKNOWN under load). */
export const FALLBACK_PUT_ATTEMPTS = 6

export interface FallbackOptions {
  logger?: Logger
  /** entries to take out of the index: our own superseded ones (same job, older run); never another tool's */
  supersedes?: (d: Descriptor) => boolean
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
  /** wait after our write before the confirming read (tests of a single writer may shorten it) */
  settleMs?: number
}

export interface FallbackResult {
  /** the index as the confirming read saw it */
  descriptors: Descriptor[]
  /** rounds it took (1 when nobody interfered) */
  rounds: number
  /** false when the index already held our entries and nothing was written */
  wrote: boolean
}

interface ReadIndex {
  index?: ImageIndex
  digest?: string
}

const defaultSleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms))

/** Read the fallback index. A tag that is missing, or resolves to the subject itself (GitLab), is empty. */
export async function readFallbackIndex(target: Target, subject: Descriptor): Promise<ReadIndex> {
  const tag = fallbackTag(subject.digest)
  try {
    const got = await target.fetchManifest(tag)
    if (got.descriptor.digest === subject.digest) return {}
    const m = parseManifest(got.bytes, `referrers index ${tag}`)
    if (!isIndex(m)) {
      throw new OciError('CONFLICT', `${target.describe()}:${tag} holds a manifest that is not a referrers index; refusing to overwrite it`, {
        op: 'update referrers tag',
        hint: 'remove or rename that tag, or use a registry with the referrers API'
      })
    }
    return { index: m, digest: got.descriptor.digest }
  } catch (e) {
    if (isOciError(e, 'NOT_FOUND')) return {}
    throw e
  }
}

function hasAll(index: ImageIndex | undefined, add: Descriptor[], remove: string[]): boolean {
  const digests = new Set((index?.manifests ?? []).map(d => d.digest))
  return add.every(d => digests.has(d.digest)) && remove.every(r => !digests.has(r))
}

export async function updateFallbackIndex(target: Target, subject: Descriptor, add: Descriptor[], opts: FallbackOptions = {}): Promise<FallbackResult> {
  const sleep = opts.sleep ?? defaultSleep
  const random = opts.random ?? Math.random
  const now = opts.now ?? Date.now
  const settle = opts.settleMs ?? SETTLE_MS
  const addDigests = new Set(add.map(d => d.digest))
  const supersedes = (d: Descriptor) => !addDigests.has(d.digest) && (opts.supersedes?.(d) ?? false)
  const removed = new Set<string>()
  const tag = fallbackTag(subject.digest)
  const seen = new Map<string, Descriptor>() // every foreign entry this writer has seen
  let wrote = false

  for (let round = 1; round <= FALLBACK_MAX_ROUNDS; round++) {
    const readAt = now()
    const cur = await readFallbackIndex(target, subject)
    for (const d of cur.index?.manifests ?? []) {
      if (supersedes(d)) removed.add(d.digest)
      else if (!seen.has(d.digest)) seen.set(d.digest, d)
    }
    const remove = [...removed]
    const carried = [...seen.values()]
    // entries seen earlier but missing now were lost to an overlapping writer: put them back too
    const missing = carried.filter(d => !(cur.index?.manifests ?? []).some(m => m.digest === d.digest))
    const edit = editReferrersIndex(cur.index, [...missing, ...add], remove)
    if (!edit.changed) {
      if (round === 1 || !wrote) return { descriptors: cur.index?.manifests ?? [], rounds: round, wrote }
      // our entries are present as of this read, which happened SETTLE_MS after our write: confirmed
      return { descriptors: cur.index?.manifests ?? [], rounds: round, wrote }
    }
    if (now() - readAt > STALE_BASE_MS) {
      opts.logger?.debug(`referrers tag ${tag}: base read took too long; reading again`)
      continue
    }
    await putWithRetry(target, edit.bytes, tag, sleep, random, opts.logger)
    wrote = true
    await sleep(settle + Math.floor(random() * 300))
    const after = await readFallbackIndex(target, subject)
    // removals are best effort: a concurrent writer that saw an entry may carry it back, and that is safe
    if (hasAll(after.index, add, [])) {
      return { descriptors: after.index?.manifests ?? [], rounds: round, wrote }
    }
    for (const d of after.index?.manifests ?? []) if (!seen.has(d.digest)) seen.set(d.digest, d)
    opts.logger?.debug(`referrers tag ${tag}: a concurrent writer replaced the index; merging again (round ${round})`)
    await sleep(50 + Math.floor(random() * 400 * Math.min(round, 4)))
  }
  throw new OciError('CONFLICT', `${target.describe()}:${tag}: could not keep our entries in the referrers index after ${FALLBACK_MAX_ROUNDS} rounds of concurrent updates`, {
    op: 'update referrers tag',
    hint: 'too many jobs are attaching to this image at once; re-run the job'
  })
}

async function putWithRetry(target: Target, bytes: Uint8Array, tag: string, sleep: (ms: number) => Promise<void>, random: () => number, logger?: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await target.pushManifest(bytes, MediaType.ImageIndex, tag)
      return
    } catch (e) {
      const transient =
        isOciError(e, 'SERVER_ERROR') ||
        isOciError(e, 'TOO_MANY_REQUESTS') ||
        isOciError(e, 'NETWORK') ||
        isOciError(e, 'TIMEOUT') ||
        (isOciError(e) && e.hasRegistryCode('MANIFEST_BLOB_UNKNOWN'))
      if (!transient || attempt >= FALLBACK_PUT_ATTEMPTS) throw e
      logger?.debug(`referrers tag ${tag}: transient failure (${(e as Error).message}); retrying`)
      await sleep(100 * attempt + Math.floor(random() * 200))
    }
  }
}
