/**
 * Writing the referrers tag schema on registries without the referrers API.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests-with-subject
 *
 * The index tagged `<alg>-<hex>` is shared by every tool that attaches to the subject (cosign, ORAS,
 * sigstore, other jobs of ours) and distribution has no compare-and-swap (it ignores `If-Match`), so
 * a plain read-modify-write loses entries when two writers overlap (measured: 9-13 of 16 lost).
 *
 * The protocol (one writer's view; every writer of ours runs it):
 *
 * 1. Read the index. Merge: every entry read stays verbatim; every entry this writer has *ever*
 *    read stays too (it is "carried": a writer repairs what others lost, not only its own); ours are
 *    added. Only *superseded* entries are taken out: `superseded` is a function of the entries a
 *    writer has seen, the same for every writer of ours, and monotone (seeing more never revives an
 *    entry). Ours: an entry with the same key and artifactType as another and a lower attempt
 *    (src/attach/identity.ts). Writers of one attempt never supersede each other, so identical
 *    writers of one CI attempt remove nothing; entries of other tools are never superseded. Outside
 *    CI a run's attempt is its start time, so a later run of the same writer supersedes an earlier
 *    one's entry even while both run: that is the "newer attempt of its own writer" of the claim
 *    below. Every entry carries its attempt in its own annotations, whatever clock produced it, so
 *    `superseded` stays a function of the entries seen, and monotone.
 * 2. Fresh base: the PUT is sent within STALE_BASE_MS of the start of the read it was computed
 *    from; an older base is read again. A failed PUT is never resent: the writer reads and merges
 *    again (the tag may have moved meanwhile). So a writer's write lands within
 *    D = (read start → PUT answer) of its base read, and D < SETTLE_MS unless the registry answers
 *    a PUT slower than SETTLE_MS - STALE_BASE_MS (the settle then grows with observed latency).
 * 3. Confirm on a *stable* state: return only when a read shows every carried entry (ours included)
 *    AND shows the same index (digest) as a state we knew at least `settle` earlier — the index we
 *    PUT (known from our PUT's answer) or the one our previous read returned. Otherwise wait
 *    settle (+ jitter) and read again; if entries are missing, go back to 1 after a jittered pause.
 *
 * Why a confirmed entry X is never lost afterwards, unless a newer attempt of its own writer
 * supersedes it (assumptions: the tag reads and writes are linearizable; every writer's D < settle;
 * no index is rewritten byte-identically by an unrelated writer in between — "ABA", a full-index
 * coincidence): a writer drops only entries it knows to be superseded, so for an X that no entry
 * supersedes, no writer drops what it read. Let the confirming read see state S ∋ X at
 * time s2, and S also at s1 with s1 ≤ (end of the earlier observation) ≤ s2-start - settle. Take the
 * first write F landing after s2 that lacks X. F's writer never drops what it read, so its base
 * lacked X: the base cannot be a snapshot in [s1, s2] (that is S, or states between writes that all
 * carry X after s2) so it was taken before s1, and F landed before s1 + D_F < s1 + settle ≤ s2:
 * contradiction. So every write after s2 carries X, and the final index holds it. This does not
 * depend on other writers staying alive (a job cancelled mid-protocol cannot make us lose X).
 *
 * Why it terminates: a writer writes only when its base lacks something it carries, or holds
 * something superseded. What a writer has seen only grows (bounded by the entries that exist), and
 * since `superseded` is monotone so does what it drops: every writer's target is the union U of the
 * entries seen minus superseded(U), which all writers reach once they have seen U. No two writers
 * want opposite things of one entry for long: an entry dropped as superseded is restored only by a
 * writer that has not yet seen its superseder, and that writer sees it in the index it reads next
 * (the superseder is carried like any entry). Jittered pauses de-synchronise writers that clobbered
 * each other, so once the last writer has merged U the index stops changing and every writer
 * confirms within two settles. (A writer that does not apply the rule — an older version of this
 * tool, or a writer whose own entry a concurrent later run supersedes, since a writer always keeps
 * its own — may put a superseded entry back; after one write of our own we accept that, rather than
 * fight it: removal is best effort, keeping entries is not.)
 * TAG_SCHEMA_MAX_ROUNDS caps the writes of one writer: reaching it is a clear error, never a silent
 * loss. The confirming read is what verification then uses, so it costs no extra request.
 */
import { isBlobLinkRace, isOciError, isTransient, OciError } from '../../errors.js'
import { backoffDelay, sleep as defaultSleep } from '../../backoff.js'
import type { Logger } from '../../log.js'
import { digestOf } from '../digest.js'
import { MediaType } from '../media-types.js'
import { dropVanished, merge, readTagSchemaIndex, type ReadIndex } from './read-index.js'
import { referrersTagName } from '../referrer-descriptors.js'
import type { Pusher, Reader } from '../target.js'
import type { Descriptor } from '../types.js'

/** A PUT is sent at most this long after the start of the read it was computed from. */
export const STALE_BASE_MS = 500
/**
 * Minimum wait between a known state (our PUT's answer, or a read) and the read that confirms it:
 * STALE_BASE_MS plus the time a registry may take to answer a PUT. A lone attach pays it once.
 */
export const SETTLE_MS = 1000
/** Upper bound of the settle when it grows with observed latency (slow registries). */
export const MAX_SETTLE_MS = 10_000
/** Writes by one writer before giving up with an error (never a silent loss). */
export const TAG_SCHEMA_MAX_ROUNDS = 20
/** Transient failures of the index PUT (500 while the tag is rewritten, MANIFEST_BLOB_UNKNOWN under load, 429, resets). */
export const TAG_SCHEMA_PUT_ATTEMPTS = 6
/** Reads in a row that took longer than STALE_BASE_MS before writing from one anyway (slow registry). */
export const MAX_STALE_REREADS = 3

/** What the writer needs of a target: read and write the tag, see whether a manifest still exists, name it in messages. */
export type TagSchemaStore = Pick<Reader, 'describe' | 'fetchManifest' | 'manifestExists'> & Pick<Pusher, 'pushManifest'>

export interface TagSchemaWriteOptions {
  logger?: Logger
  /**
   * The digests among `entries` that are superseded (a newer attempt of the same writer is among
   * them): they are taken out of the index. Must depend on `entries` only and be monotone.
   */
  superseded?: (entries: Descriptor[]) => Set<string>
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
  /** minimum wait between a known state and its confirming read (tests of a single writer may shorten it) */
  settleMs?: number
}

export interface TagSchemaWriteResult {
  /** the index as the confirming read saw it */
  descriptors: Descriptor[]
  /** writes it took (1 when nobody interfered; 0 when nothing had to be written) */
  rounds: number
  /** false when the index already held our entries and nothing was written */
  wrote: boolean
}

/** A failed index PUT worth another read-merge-write: the registry was busy, or a blob was linking. */
function putRetriable(e: unknown): boolean {
  return isTransient(e) || isBlobLinkRace(e)
}

export async function writeTagSchemaIndex(
  target: TagSchemaStore,
  subject: Descriptor,
  add: Descriptor[],
  opts: TagSchemaWriteOptions = {}
): Promise<TagSchemaWriteResult> {
  const writer = new TagSchemaWriter(target, subject, add, opts)
  for (let reads = 0; reads < TAG_SCHEMA_MAX_ROUNDS * 4; reads++) {
    const done = await writer.step()
    if (done) return done
  }
  throw writer.conflict(`the referrers index kept changing for ${TAG_SCHEMA_MAX_ROUNDS * 4} reads`)
}

/** What one read shows, against what this writer carries. */
interface View {
  cur: ReadIndex
  present: Descriptor[]
  have: Set<string>
  /** carried entries the read lacks */
  restore: Descriptor[]
  /** every carried entry and ours are there */
  complete: boolean
  readAt: number
  readEnd: number
}

/** One writer's run of the protocol in the header; `step()` is one read and what follows from it. */
class TagSchemaWriter {
  private readonly sleep: (ms: number) => Promise<void>
  private readonly random: () => number
  private readonly now: () => number
  private readonly baseSettle: number
  private readonly addDigests: Set<string>
  private readonly supersededOf: (entries: Descriptor[]) => Set<string>
  private readonly tag: string
  private readonly carried = new Map<string, Descriptor>() // every live entry this writer has read, verbatim
  private readonly removed = new Set<string>() // entries known to be superseded (only grows)
  private known: { digest: string | undefined; at: number } | undefined // a state and when it was last known to hold
  private writes = 0
  private transient = 0
  private staleRereads = 0
  private slowest = 0 // longest read-start → PUT-answer seen: the settle grows with it on slow registries

  constructor(
    private readonly target: TagSchemaStore,
    private readonly subject: Descriptor,
    private readonly add: Descriptor[],
    private readonly opts: TagSchemaWriteOptions
  ) {
    this.sleep = opts.sleep ?? defaultSleep
    this.random = opts.random ?? Math.random
    this.now = opts.now ?? Date.now
    this.baseSettle = opts.settleMs ?? SETTLE_MS
    this.addDigests = new Set(add.map(d => d.digest))
    this.supersededOf = opts.superseded ?? (() => new Set<string>())
    this.tag = referrersTagName(subject.digest)
  }

  private settle(): number {
    return Math.max(this.baseSettle, Math.min(MAX_SETTLE_MS, 2 * this.slowest))
  }

  private log(m: string): void {
    this.opts.logger?.debug(`referrers tag ${this.tag}: ${m}`)
  }

  conflict(why: string): OciError {
    return new OciError('CONFLICT', `update referrers tag ${this.tag} in ${this.target.describe()}: ${why}`, {
      op: 'update referrers tag',
      where: this.target.describe(),
      hint: 'too many jobs are attaching to this image at once; re-run the job'
    })
  }

  /** Read, then confirm (a result) or write (undefined: read again). */
  async step(): Promise<TagSchemaWriteResult | undefined> {
    const view = await this.read()
    // removals are best effort: once we have written, a concurrent writer that carries them back is fine
    const removalsPending = [...this.removed].some(r => view.have.has(r))
    if (view.complete && (!removalsPending || this.writes > 0)) return this.confirm(view)
    await this.writeFrom(view)
    return undefined
  }

  /** Read the index and take in what it shows: new entries are carried, superseded ones dropped. */
  private async read(): Promise<View> {
    const readAt = this.now()
    const cur = await readTagSchemaIndex(this.target, this.subject)
    const readEnd = this.now()
    if (cur.aliasOfSubject && this.writes > this.transient) {
      throw new OciError(
        'UNSUPPORTED',
        `update referrers tag ${this.tag} in ${this.target.describe()}: the registry resolves ${this.tag} to the image itself, so it cannot hold a ` +
          `referrers index`,
        {
          op: 'update referrers tag',
          where: this.target.describe(),
          hint: 'this registry cannot store the referrers tag schema; use a registry with the referrers API, or mode: annotations'
        }
      )
    }
    const present = cur.index?.manifests ?? []
    for (const d of present) if (!this.addDigests.has(d.digest) && !this.carried.has(d.digest) && !this.removed.has(d.digest)) this.carried.set(d.digest, d)
    for (const x of this.supersededOf([...this.carried.values(), ...this.add])) {
      if (this.addDigests.has(x)) continue // ours stay; a newer attempt of ours takes them out
      this.removed.add(x)
      this.carried.delete(x)
    }
    const have = new Set(present.map(d => d.digest))
    const restore = [...this.carried.values()].filter(d => !have.has(d.digest) && !this.removed.has(d.digest))
    return { cur, present, have, restore, complete: restore.length === 0 && this.add.every(d => have.has(d.digest)), readAt, readEnd }
  }

  /** Everything is there: done when the same index was known a settle ago, else look again after it. */
  private async confirm(v: View): Promise<TagSchemaWriteResult | undefined> {
    const known = this.known
    if (known && known.digest === v.cur.digest && v.readAt - known.at >= this.settle()) {
      return { descriptors: v.present, rounds: this.writes, wrote: this.writes > 0 }
    }
    if (!known || known.digest !== v.cur.digest) this.known = { digest: v.cur.digest, at: v.readEnd }
    await this.sleep(Math.max(0, this.known!.at + this.settle() - this.now()) + Math.floor(this.random() * 100))
    return undefined
  }

  /** Something is missing (or superseded): merge and PUT, unless the base is stale or we were just clobbered. */
  private async writeFrom(v: View): Promise<void> {
    const edit = merge(v.cur.index, v.restore, this.add, [...this.removed])
    if (!edit.changed) {
      // only duplicate-free reordering differences: nothing to write, treat as complete next time
      this.known = { digest: v.cur.digest, at: v.readEnd }
      await this.sleep(this.settle())
      return
    }
    if (this.known && this.known.digest !== v.cur.digest && this.writes > 0) {
      // we were clobbered: de-synchronise from the writers we collided with before merging again
      this.log(`a concurrent writer replaced the index without ${v.restore.length ? 'entries we carry' : 'ours'}; merging again (write ${this.writes})`)
      this.known = undefined
      await this.sleep(backoffDelay(Math.min(this.writes, 4), { baseMs: 100, random: this.random }))
      return
    }
    if (this.now() - v.readAt > STALE_BASE_MS && ++this.staleRereads <= MAX_STALE_REREADS) {
      this.log('the base read took too long; reading again')
      return
    }
    this.staleRereads = 0
    if (this.writes >= TAG_SCHEMA_MAX_ROUNDS)
      throw this.conflict(`could not keep our entries in the referrers index after ${TAG_SCHEMA_MAX_ROUNDS} rounds of concurrent updates`)
    await this.put(edit.bytes, v)
  }

  /** One PUT of the tag; a transient failure is never resent from this base: the next step reads again. */
  private async put(bytes: Uint8Array, v: View): Promise<void> {
    this.writes++
    try {
      await this.target.pushManifest(bytes, MediaType.ImageIndex, this.tag)
    } catch (e) {
      // it may have landed anyway (a 500 after the tag moved): from here on it is a state like any other
      this.known = { digest: digestOf(bytes), at: this.now() }
      if (!putRetriable(e) || ++this.transient >= TAG_SCHEMA_PUT_ATTEMPTS) throw e
      this.log(`transient failure (${(e as Error).message}); reading and merging again`)
      if (isOciError(e) && e.hasRegistryCode('MANIFEST_BLOB_UNKNOWN')) await dropVanished(this.target, v.restore, this.carried, m => this.log(m))
      await this.sleep(backoffDelay(this.transient, { baseMs: 100, random: this.random }))
      return
    }
    this.known = { digest: digestOf(bytes), at: this.now() }
    this.slowest = Math.max(this.slowest, this.known.at - v.readAt)
    await this.sleep(this.settle() + Math.floor(this.random() * 250))
  }
}
