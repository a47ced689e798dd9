/**
 * The referrers tag-schema writer (src/oci/tag-schema/writer.ts) against a scripted fake Target on a virtual
 * clock: lone writer, clobbering interleavings, the stable-state confirmation, foreign entries kept
 * verbatim, a tag resolving to the subject, a non-index at the tag, transient PUT failures, the
 * round cap, and a randomised simulation of many concurrent writers.
 */
import { imageIndex, imageManifest, testImage } from '../../../__fixtures__/builders.js'
import { OciError } from '../../../src/errors.js'
import { digestOf } from '../../../src/oci/digest.js'
import {
  TAG_SCHEMA_MAX_ROUNDS,
  TAG_SCHEMA_PUT_ATTEMPTS,
  SETTLE_MS,
  writeTagSchemaIndex,
  type TagSchemaWriteOptions
} from '../../../src/oci/tag-schema/writer.js'
import { supersededIn } from '../../../src/attach/identity.js'
import { MediaType } from '../../../src/oci/media-types.js'
import { referrersTagName } from '../../../src/oci/referrer-descriptors.js'
import type { Target } from '../../../src/oci/target.js'
import type { Descriptor } from '../../../src/oci/types.js'

const dec = (b: Uint8Array) => new TextDecoder().decode(b)

const { bytes: subjectBytes, descriptor: SUBJECT } = testImage('subject').manifest
const TAG = referrersTagName(SUBJECT.digest)

function artifact(name: string, extra: Partial<Descriptor> & Record<string, unknown> = {}): Descriptor {
  return {
    mediaType: MediaType.ImageManifest,
    digest: digestOf(name),
    size: 100 + name.length,
    artifactType: 'application/vnd.example+json',
    annotations: { name },
    ...extra
  }
}
/** the identity annotations our writers stamp on their artifacts (prefix `p`) */
const stamp = (key: string, attempt: number) => ({ 'p.key': key, 'p.attempt': String(attempt) })
const SUPERSEDED = (entries: Descriptor[]) => supersededIn(entries, 'p')
const COSIGN = artifact('cosign', {
  artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  annotations: { 'dev.sigstore.cosign/bundle': '{"x":1}' },
  'x-vendor-field': { keep: true }
} as never)

/** A referrers index as a registry holds it under the tag (foreign fields of its entries kept). */
function indexBytes(manifests: Descriptor[], extra: { annotations?: Record<string, string> } = {}): Uint8Array {
  return imageIndex(manifests, extra).bytes
}

/** Virtual time: sleep() resolves when the driver advances the clock; nothing waits for real. */
class Clock {
  t = 0
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = []
  private seq = 0
  now = (): number => this.t
  sleep = (ms: number): Promise<void> =>
    new Promise(resolve => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve })
    })
  /** Run until `p` settles, advancing to the next timer whenever everything is idle. */
  async run<T>(p: Promise<T>): Promise<T> {
    let done = false
    const settled = p.then(
      v => {
        done = true
        return v
      },
      e => {
        done = true
        throw e
      }
    )
    settled.catch(() => {})
    for (let guard = 0; !done; guard++) {
      await new Promise(r => setImmediate(r))
      if (done) break
      if (guard > 200_000) throw new Error('virtual clock: runaway')
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.timers.shift()
      if (!next) throw new Error('virtual clock: deadlock (nothing pending)')
      this.t = Math.max(this.t, next.at)
      next.resolve()
    }
    return settled
  }
}

/** A deterministic PRNG (mulberry32) so randomised interleavings are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Op {
  kind: 'read' | 'put'
  at: number
  digest?: string
}

/**
 * One repository holding the fallback tag. Reads and writes are linearizable: a read takes its
 * snapshot, a PUT lands, at one instant between `latency` sleeps. Hooks let a test land another
 * writer's PUT at a chosen point.
 */
class FakeRegistry {
  tag: Uint8Array | undefined
  manifests = new Set<string>()
  log: Op[] = []
  putFaults: Error[] = []
  beforeRead?: (n: number) => void
  afterPut?: (n: number) => void
  reads = 0
  puts = 0
  constructor(
    private readonly clock: Clock,
    private readonly latency: () => number = () => 0
  ) {}

  state(): Descriptor[] {
    return this.tag ? (JSON.parse(dec(this.tag)) as { manifests: Descriptor[] }).manifests : []
  }

  /** another writer's PUT landing now */
  land(manifests: Descriptor[]): void {
    this.tag = indexBytes(manifests)
    this.log.push({ kind: 'put', at: this.clock.t, digest: digestOf(this.tag) })
  }

  target(name = 'fake'): Target {
    const self = this
    const lat = () => this.clock.sleep(this.latency())
    const t: Partial<Target> = {
      describe: () => `127.0.0.1:5000/${name}`,
      async fetchManifest(reference) {
        expect(reference).toBe(TAG)
        await lat()
        self.reads++
        self.beforeRead?.(self.reads)
        const bytes = self.tag
        self.log.push({ kind: 'read', at: self.clock.t, ...(bytes ? { digest: digestOf(bytes) } : {}) })
        await lat()
        if (!bytes) throw new OciError('NOT_FOUND', `fetch manifest ${TAG}: not found`)
        const isSubject = digestOf(bytes) === SUBJECT.digest
        return { descriptor: { mediaType: isSubject ? MediaType.ImageManifest : MediaType.ImageIndex, digest: digestOf(bytes), size: bytes.length }, bytes }
      },
      async pushManifest(bytes, mediaType, tag) {
        expect(tag).toBe(TAG)
        expect(mediaType).toBe(MediaType.ImageIndex)
        await lat()
        const fault = self.putFaults.shift()
        if (fault) throw fault
        self.puts++
        self.tag = bytes
        self.log.push({ kind: 'put', at: self.clock.t, digest: digestOf(bytes) })
        self.afterPut?.(self.puts)
        await lat()
        return { descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length }, subjectAccepted: false }
      },
      async manifestExists(digest) {
        return self.manifests.has(digest)
      }
    }
    return t as Target
  }
}

function opts(clock: Clock, seed = 1, extra: TagSchemaWriteOptions = {}): TagSchemaWriteOptions {
  return { now: clock.now, sleep: clock.sleep, random: prng(seed), ...extra }
}

const digests = (ds: Descriptor[]) => ds.map(d => d.digest)

describe('one writer', () => {
  test('empty tag: one write, confirmed by a read at least SETTLE_MS after the PUT answered', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const ours = artifact('ours')
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(r).toMatchObject({ rounds: 1, wrote: true })
    expect(digests(r.descriptors)).toEqual([ours.digest])
    expect(reg.log.map(o => o.kind)).toEqual(['read', 'put', 'read'])
    expect(reg.log[2]!.at - reg.log[1]!.at).toBeGreaterThanOrEqual(SETTLE_MS)
    expect(reg.log[2]!.at - reg.log[1]!.at).toBeLessThan(SETTLE_MS + 300) // a lone attach pays one settle, no more
  })

  test('foreign entries are kept verbatim, fields the client does not know included', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.tag = indexBytes([COSIGN], { annotations: { 'org.example.index': 'kept' } })
    const ours = artifact('ours')
    await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    const idx = JSON.parse(dec(reg.tag!)) as { manifests: Array<Record<string, unknown>>; annotations: Record<string, string> }
    expect(idx.manifests[0]).toEqual(COSIGN)
    expect(idx.manifests[0]!['x-vendor-field']).toEqual({ keep: true })
    expect(idx.annotations).toEqual({ 'org.example.index': 'kept' })
    expect(idx.manifests.map(m => m.digest)).toEqual([COSIGN.digest, ours.digest])
  })

  test('our entries already there and stable: nothing written', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const ours = artifact('ours')
    reg.tag = indexBytes([COSIGN, ours])
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(r).toMatchObject({ rounds: 0, wrote: false })
    expect(reg.puts).toBe(0)
  })

  test('our superseded entry (same key, earlier attempt) is removed; another tool entry is not', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const old = artifact('attempt-1', { annotations: stamp('job-1', 1) })
    reg.tag = indexBytes([COSIGN, old])
    const ours = artifact('attempt-2', { annotations: stamp('job-1', 2) })
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock, 1, { superseded: SUPERSEDED })))
    expect(digests(r.descriptors)).toEqual([COSIGN.digest, ours.digest])
  })

  test('an entry of the same key and the same attempt is a concurrent writer: kept', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const sibling = artifact('leg-1', { annotations: stamp('job-1', 1) })
    reg.tag = indexBytes([COSIGN, sibling])
    const ours = artifact('leg-0', { annotations: stamp('job-1', 1) })
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock, 1, { superseded: SUPERSEDED })))
    expect(digests(r.descriptors)).toEqual([COSIGN.digest, sibling.digest, ours.digest])
  })

  test('duplicates left by another writer are collapsed', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.tag = indexBytes([COSIGN, COSIGN])
    const ours = artifact('ours')
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(digests(r.descriptors)).toEqual([COSIGN.digest, ours.digest])
  })
})

describe('the tag holds something else', () => {
  test('a tag resolving to the subject itself (GitLab) is read as empty', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.tag = subjectBytes
    const ours = artifact('ours')
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(digests(r.descriptors)).toEqual([ours.digest])
    expect(reg.puts).toBe(1)
  })

  test('a registry that keeps resolving the tag to the subject after our write: one clear error, not 20 rounds', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.tag = subjectBytes
    reg.afterPut = () => (reg.tag = subjectBytes)
    const err = (await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [artifact('ours')], opts(clock))).catch(e => e)) as OciError
    expect(err).toBeInstanceOf(OciError)
    expect(err.code).toBe('UNSUPPORTED')
    expect(err.message).toContain(`update referrers tag ${TAG} in 127.0.0.1:5000/fake`)
    expect(err.hint).toMatch(/referrers API|annotations/)
    expect(reg.puts).toBe(1)
  })

  test('a non-index at the tag is refused and never overwritten', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const { bytes: image } = imageManifest({ config: { mediaType: MediaType.ImageConfig, digest: digestOf('c'), size: 1 }, layers: [] })
    reg.tag = image
    const err = (await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [artifact('ours')], opts(clock))).catch(e => e)) as OciError
    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain(`update referrers tag ${TAG} in 127.0.0.1:5000/fake`)
    expect(err.message).toContain('not a referrers index')
    expect(err.hint).toBeTruthy()
    expect(reg.puts).toBe(0)
    expect(reg.tag).toBe(image)
  })
})

describe('interleavings', () => {
  test('clobbered by a writer with an older base: re-merged, both entries and the foreign one kept', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.tag = indexBytes([COSIGN])
    const ours = artifact('ours')
    const theirs = artifact('theirs')
    // right after our PUT, another writer that read [COSIGN] before it lands [COSIGN, theirs]
    reg.afterPut = n => {
      if (n === 1) reg.land([COSIGN, theirs])
    }
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(r.rounds).toBe(2)
    expect(digests(r.descriptors).sort()).toEqual([COSIGN.digest, ours.digest, theirs.digest].sort())
  })

  test('entries present but the index changed recently: not trusted until it is stable (a stale writer may still land)', async () => {
    // A lands X. B (base before A) lands without X; C reads then (without X); D, who saw X, lands
    // with X. A's read after the settle sees X (D's index) — the old protocol confirmed here — and
    // C's stale write then removes X. A waits for a stable index instead, sees the loss, repairs.
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.tag = indexBytes([COSIGN])
    const X = artifact('X')
    const b = artifact('b')
    const d = artifact('d')
    reg.afterPut = n => {
      if (n !== 1) return
      reg.land([COSIGN, b]) // B clobbers
      void clock.sleep(300).then(() => reg.land([COSIGN, b, X, d])) // D re-adds X
      void clock.sleep(SETTLE_MS + 300).then(() => reg.land([COSIGN, b])) // C, read at +1 ms, lands within its D < settle
    }
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [X], opts(clock)))
    expect(reg.puts).toBe(2)
    expect(digests(r.descriptors)).toEqual(expect.arrayContaining([COSIGN.digest, X.digest, b.digest, d.digest]))
    expect(digests(reg.state())).toEqual(expect.arrayContaining([X.digest, d.digest]))
  })

  test('a carried entry lost by others is restored even though ours survived', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const other = artifact('other')
    reg.tag = indexBytes([COSIGN, other])
    const ours = artifact('ours')
    reg.afterPut = n => {
      if (n === 1) reg.land([ours]) // someone keeps ours but drops COSIGN and other
    }
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(digests(r.descriptors).sort()).toEqual([COSIGN.digest, other.digest, ours.digest].sort())
    expect(reg.state().find(m => m.digest === COSIGN.digest)).toEqual(COSIGN)
  })

  test('clobbered on every write: a clear CONFLICT after TAG_SCHEMA_MAX_ROUNDS writes, never a silent success', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.afterPut = () => reg.land([COSIGN])
    const err = (await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [artifact('ours')], opts(clock))).catch(e => e)) as OciError
    expect(err.code).toBe('CONFLICT')
    expect(err.message).toMatch(/^update referrers tag sha256-[0-9a-f]{64} in 127\.0\.0\.1:5000\/fake: could not keep our entries/)
    expect(err.hint).toMatch(/re-run/)
    expect(reg.puts).toBe(TAG_SCHEMA_MAX_ROUNDS)
  })
})

describe('transient failures of the index PUT', () => {
  const server500 = () => new OciError('SERVER_ERROR', 'push manifest: registry error (500)', { status: 500 })
  const blobUnknown = () => new OciError('INVALID_RESPONSE', 'push manifest: 400', { status: 400, registryErrors: [{ code: 'MANIFEST_BLOB_UNKNOWN' }] })

  test('500 and MANIFEST_BLOB_UNKNOWN are retried, each time from a fresh read (a tag PUT is never resent from an old base)', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.putFaults = [server500(), blobUnknown()]
    const ours = artifact('ours')
    const r = await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [ours], opts(clock)))
    expect(digests(r.descriptors)).toEqual([ours.digest])
    expect(reg.puts).toBe(1)
    // every PUT attempt follows its own read
    expect(reg.reads).toBeGreaterThanOrEqual(3)
  })

  test('MANIFEST_BLOB_UNKNOWN because a carried entry was deleted meanwhile: that entry is no longer restored', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    const gone = artifact('gone')
    reg.tag = indexBytes([COSIGN, gone])
    reg.manifests = new Set([COSIGN.digest])
    const ours = artifact('ours')
    reg.manifests.add(ours.digest)
    // someone deletes `gone` and rewrites the index without it just before our first PUT
    let first = true
    const t = reg.target()
    const push = t.pushManifest.bind(t)
    t.pushManifest = async (bytes, mt, tag) => {
      if (first) {
        first = false
        reg.land([COSIGN])
      }
      const names = (JSON.parse(dec(bytes)) as { manifests: Descriptor[] }).manifests.map(m => m.digest)
      if (names.some(n => !reg.manifests.has(n))) throw blobUnknown()
      return push(bytes, mt, tag)
    }
    const r = await clock.run(writeTagSchemaIndex(t, SUBJECT, [ours], opts(clock)))
    expect(digests(r.descriptors)).toEqual([COSIGN.digest, ours.digest])
  })

  test('bounded: TAG_SCHEMA_PUT_ATTEMPTS transient failures give the last error', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.putFaults = Array.from({ length: 20 }, server500)
    const err = (await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [artifact('ours')], opts(clock))).catch(e => e)) as OciError
    expect(err.code).toBe('SERVER_ERROR')
    expect(20 - reg.putFaults.length).toBe(TAG_SCHEMA_PUT_ATTEMPTS)
  })

  test('a permanent error (denied) is not retried', async () => {
    const clock = new Clock()
    const reg = new FakeRegistry(clock)
    reg.putFaults = [new OciError('DENIED', 'push manifest: denied', { status: 403 })]
    const err = (await clock.run(writeTagSchemaIndex(reg.target(), SUBJECT, [artifact('ours')], opts(clock))).catch(e => e)) as OciError
    expect(err.code).toBe('DENIED')
    expect(reg.putFaults).toHaveLength(0)
    expect(reg.reads).toBe(1)
  })
})

describe('many concurrent writers (randomised, reproducible)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`seed ${seed}: 16 writers with 5-200 ms latencies lose nothing`, async () => {
      const clock = new Clock()
      const rand = prng(seed * 7919)
      const reg = new FakeRegistry(clock, () => 5 + Math.floor(rand() * 195))
      reg.tag = indexBytes([COSIGN])
      const writers = Array.from({ length: 16 }, (_, i) => artifact(`w${seed}-${i}`))
      const all = Promise.all(
        writers.map(async (w, i) => {
          await clock.sleep(Math.floor(rand() * 50)) // start at almost the same moment
          return writeTagSchemaIndex(reg.target(`w${i}`), SUBJECT, [w], opts(clock, seed * 100 + i))
        })
      )
      const results = await clock.run(all)
      const final = digests(reg.state())
      for (const [i, r] of results.entries()) {
        expect(digests(r.descriptors)).toContain(writers[i]!.digest)
        expect(r.rounds).toBeLessThanOrEqual(TAG_SCHEMA_MAX_ROUNDS)
      }
      expect(final.sort()).toEqual([COSIGN.digest, ...writers.map(w => w.digest)].sort())
      expect(reg.state().find(m => m.digest === COSIGN.digest)).toEqual(COSIGN)
      // converged in bounded virtual time
      expect(clock.t).toBeLessThan(30_000)
    })
  }
})

describe('writers of one job (virtual clock)', () => {
  for (const seed of [11, 12, 13]) {
    test(`seed ${seed}: 16 identical writers (same key, same attempt) x 5 rounds keep all 80 entries and the foreign one, once each`, async () => {
      const clock = new Clock()
      const rand = prng(seed * 104729)
      const reg = new FakeRegistry(clock, () => 5 + Math.floor(rand() * 120))
      reg.tag = indexBytes([COSIGN])
      const all: Descriptor[] = []
      for (let round = 0; round < 5; round++) {
        // nothing tells them apart: the same key and attempt on every entry, only their content differs
        const writers = Array.from({ length: 16 }, (_, i) => artifact(`same-${seed}-${round}-${i}`, { annotations: stamp('one-job', 1) }))
        all.push(...writers)
        const results = await clock.run(
          Promise.all(
            writers.map(async (w, i) => {
              await clock.sleep(Math.floor(rand() * 50))
              return writeTagSchemaIndex(reg.target(`w${i}`), SUBJECT, [w], opts(clock, seed * 1000 + round * 16 + i, { superseded: SUPERSEDED }))
            })
          )
        )
        for (const [i, r] of results.entries()) {
          expect(digests(r.descriptors)).toContain(writers[i]!.digest)
          expect(r.rounds).toBeLessThanOrEqual(TAG_SCHEMA_MAX_ROUNDS)
        }
      }
      const final = digests(reg.state())
      expect(final.length).toBe(new Set(final).size)
      expect(final.sort()).toEqual([COSIGN.digest, ...all.map(w => w.digest)].sort())
    })
  }

  test('attempt 2 of leg 0 among concurrent writers that carry its attempt-1 entry: the old entry goes and stays gone, every other entry stays', async () => {
    const clock = new Clock()
    const rand = prng(4242)
    const reg = new FakeRegistry(clock, () => 5 + Math.floor(rand() * 150))
    const leg0old = artifact('leg0-a1', { annotations: stamp('leg-0', 1) })
    const leg1old = artifact('leg1-a1', { annotations: stamp('leg-1', 1) })
    reg.tag = indexBytes([COSIGN, leg0old, leg1old])
    const leg0new = artifact('leg0-a2', { annotations: stamp('leg-0', 2) })
    // other writers of attempt 2 (another job's legs) read the index with leg0old in it and carry it
    const others = Array.from({ length: 6 }, (_, i) => artifact(`other-${i}`, { annotations: stamp(`other-${i}`, 2) }))
    const results = await clock.run(
      Promise.all(
        [leg0new, ...others].map(async (w, i) => {
          await clock.sleep(i === 0 ? 120 : Math.floor(rand() * 50)) // the others read first
          return writeTagSchemaIndex(reg.target(`w${i}`), SUBJECT, [w], opts(clock, 50 + i, { superseded: SUPERSEDED }))
        })
      )
    )
    for (const [i, r] of results.entries()) expect(digests(r.descriptors)).toContain([leg0new, ...others][i]!.digest)
    const final = digests(reg.state())
    expect(final).not.toContain(leg0old.digest)
    expect(final.sort()).toEqual([COSIGN.digest, leg1old.digest, leg0new.digest, ...others.map(o => o.digest)].sort())
  })
})
