/**
 * Writer identity and superseding (src/attach/identity.ts), with the CI contexts real topologies
 * produce: matrix legs share run id, job and step; two steps of one job share run id and job; a
 * re-run shares everything but the attempt.
 */
import { attachmentKey, identityAnnotations, supersededBy, supersededIn, writerIdentity, type IdentityInputs } from '../../src/attach/identity.js'
import type { CiContext } from '../../src/metadata/ci-context.js'
import type { Descriptor } from '../../src/oci/types.js'

const SUBJECT = `sha256:${'a'.repeat(64)}`
const leg = (overrides: Partial<CiContext> = {}): CiContext => ({
  provider: 'github',
  repository: 'acme/widget',
  workflow: 'build',
  job: 'image',
  step: '__acme_oci-build-metadata',
  runId: '4242',
  runAttempt: '1',
  ...overrides
})
const inputs = (overrides: Partial<IdentityInputs['defining']> = {}, extra: Partial<IdentityInputs> = {}): IdentityInputs => ({
  defining: { annotations: {}, sboms: [], provenance: false, ...overrides },
  ...extra
})
const key = (ci: CiContext, id: IdentityInputs, kind = 'metadata') => attachmentKey(writerIdentity(ci, id), SUBJECT, kind)

describe('writerIdentity', () => {
  test('matrix legs that differ only in their matrix values have different keys', () => {
    expect(key(leg(), inputs({}, { matrix: '{"leg":0}' }))).not.toBe(key(leg(), inputs({}, { matrix: '{"leg":1}' })))
  })

  test('matrix legs that differ only in their metadata input have different keys', () => {
    expect(key(leg(), inputs({ metadata: '{"leg": 0}' }))).not.toBe(key(leg(), inputs({ metadata: '{"leg": 1}' })))
  })

  test('two steps of one job (GITHUB_ACTION _2) have different keys, even with the same inputs', () => {
    expect(key(leg(), inputs())).not.toBe(key(leg({ step: '__acme_oci-build-metadata_2' }), inputs()))
  })

  test('a re-run (attempt 2) has the same key and a higher attempt', () => {
    const a1 = writerIdentity(leg(), inputs({ metadata: '{"leg": 0}' }))
    const a2 = writerIdentity(leg({ runAttempt: '2' }), inputs({ metadata: '{"leg": 0}' }))
    expect(attachmentKey(a2, SUBJECT, 'metadata')).toBe(attachmentKey(a1, SUBJECT, 'metadata'))
    expect([a1.attempt, a2.attempt]).toEqual([1, 2])
  })

  test('writer-id replaces the inputs: legs with the same inputs are told apart, a leg with changed inputs is the same writer', () => {
    expect(key(leg(), inputs({}, { writerId: 'amd64' }))).not.toBe(key(leg(), inputs({}, { writerId: 'arm64' })))
    expect(key(leg(), inputs({ metadata: '{"t": 1}' }, { writerId: 'amd64' }))).toBe(
      key(leg({ runAttempt: '2' }), inputs({ metadata: '{"t": 2}' }, { writerId: 'amd64' }))
    )
  })

  test('another run of the workflow is another writer', () => {
    expect(key(leg(), inputs())).not.toBe(key(leg({ runId: '4243' }), inputs()))
  })

  test('the SBOM file list is taken in any order', () => {
    expect(key(leg(), inputs({ sboms: ['a.json', 'b.json'] }))).toBe(key(leg(), inputs({ sboms: ['b.json', 'a.json'] })))
  })

  test('GitLab: a retried job has a higher job id in the same pipeline; parallel:matrix legs have their own job names', () => {
    const gl = (o: Partial<CiContext>): CiContext => ({
      provider: 'gitlab',
      repository: 'acme/widget',
      workflow: '.gitlab-ci.yml',
      job: 'build: [amd64]',
      runId: '900',
      jobId: '7001',
      ...o
    })
    const first = writerIdentity(gl({}), inputs())
    const retry = writerIdentity(gl({ jobId: '7042' }), inputs())
    expect(attachmentKey(retry, SUBJECT, 'metadata')).toBe(attachmentKey(first, SUBJECT, 'metadata'))
    expect(retry.attempt).toBeGreaterThan(first.attempt as number)
    expect(key(gl({ job: 'build: [arm64]' }), inputs())).not.toBe(attachmentKey(first, SUBJECT, 'metadata'))
  })

  test('outside CI, without a start time, there is no attempt: nothing is superseded', () => {
    expect(writerIdentity({ provider: 'git', commit: 'c'.repeat(40) }, inputs()).attempt).toBeUndefined()
    expect(writerIdentity({ provider: 'none' }, inputs()).attempt).toBeUndefined()
  })

  describe('outside CI (a laptop, Jenkins)', () => {
    const git = (commit = 'c'.repeat(40)): CiContext => ({ provider: 'git', repository: 'acme/widget', commit })
    const run = (startedAtMs: number, o: Partial<IdentityInputs> = {}, ci = git()) =>
      writerIdentity(ci, { ...inputs(), userContent: 'sha256:u', startedAtMs, ...o })

    test('a re-run of the same commit with the same inputs is the same writer, and the later run is the higher attempt', () => {
      const first = run(1_767_225_600_000)
      const again = run(1_767_225_660_123)
      expect(attachmentKey(again, SUBJECT, 'metadata')).toBe(attachmentKey(first, SUBJECT, 'metadata'))
      expect([first.attempt, again.attempt]).toEqual([1_767_225_600_000, 1_767_225_660_123])
      const [a, b] = [
        entry(attachmentKey(first, SUBJECT, 'metadata'), String(first.attempt)),
        entry(attachmentKey(again, SUBJECT, 'metadata'), String(again.attempt))
      ]
      expect(supersededIn([a, b], 'p')).toEqual(new Set([a.digest]))
    })

    test('runs started in the same millisecond are one attempt: concurrent, neither supersedes', () => {
      expect(run(1_767_225_600_000).attempt).toBe(run(1_767_225_600_000.9).attempt)
    })

    test("different metadata fields (each stage's own results.json) are different writers; in CI the file name alone decides", () => {
      const a = run(1, { userContent: 'sha256:a', defining: { metadataFile: 'results.json', annotations: {}, sboms: [], provenance: false } })
      const b = run(2, { userContent: 'sha256:b', defining: { metadataFile: 'results.json', annotations: {}, sboms: [], provenance: false } })
      expect(attachmentKey(a, SUBJECT, 'metadata')).not.toBe(attachmentKey(b, SUBJECT, 'metadata'))
      const inCi = (userContent: string) =>
        key(leg(), { defining: { metadataFile: 'results.json', annotations: {}, sboms: [], provenance: false }, userContent, startedAtMs: 5 })
      expect(inCi('sha256:a')).toBe(inCi('sha256:b'))
    })

    test('writer-id replaces the inputs: a re-run with changed fields is the same writer; two writer-ids are two writers', () => {
      expect(attachmentKey(run(1, { writerId: 'amd64', userContent: 'sha256:a' }), SUBJECT, 'm')).toBe(
        attachmentKey(run(2, { writerId: 'amd64', userContent: 'sha256:b' }), SUBJECT, 'm')
      )
      expect(attachmentKey(run(1, { writerId: 'amd64' }), SUBJECT, 'm')).not.toBe(attachmentKey(run(1, { writerId: 'arm64' }), SUBJECT, 'm'))
    })

    test('another commit is another writer', () => {
      expect(attachmentKey(run(1), SUBJECT, 'm')).not.toBe(attachmentKey(run(1, {}, git('d'.repeat(40))), SUBJECT, 'm'))
    })

    test('in CI the start time changes nothing: the attempt is still GITHUB_RUN_ATTEMPT', () => {
      expect(writerIdentity(leg({ runAttempt: '2' }), { ...inputs(), startedAtMs: 1_767_225_600_000 }).attempt).toBe(2)
    })
  })

  test('the attempt is recorded next to the key', () => {
    const w = writerIdentity(leg({ runAttempt: '3' }), inputs())
    expect(identityAnnotations('p', 'k', w)).toEqual({ 'p.key': 'k', 'p.attempt': '3' })
    expect(identityAnnotations('p', 'k', writerIdentity({ provider: 'none' }, inputs()))).toEqual({ 'p.key': 'k' })
  })
})

const TYPE = 'application/vnd.oci-build-metadata.v1+json'
let n = 0
const entry = (k: string | undefined, attempt: string | undefined, artifactType = TYPE): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(++n).padStart(64, '0')}`,
  size: 500,
  artifactType,
  annotations: { ...(k !== undefined ? { 'p.key': k } : {}), ...(attempt !== undefined ? { 'p.attempt': attempt } : {}) }
})

describe('supersededIn / supersededBy', () => {
  test('only a strictly higher attempt of the same key and artifactType supersedes', () => {
    const a1 = entry('leg-0', '1')
    const a1b = entry('leg-0', '1') // a concurrent writer of the same attempt
    const a2 = entry('leg-0', '2')
    const otherType = entry('leg-0', '1', 'application/spdx+json')
    const otherKey = entry('leg-1', '1')
    const foreign = entry(undefined, undefined)
    const noAttempt = entry('leg-0', undefined)
    expect([...supersededIn([a1, a1b, a2, otherType, otherKey, foreign, noAttempt], 'p')].sort()).toEqual([a1.digest, a1b.digest].sort())
    expect(supersededIn([a1, a1b, otherKey, foreign], 'p').size).toBe(0)
  })

  test('monotone: adding entries never revives a superseded one', () => {
    const a1 = entry('k', '1')
    const a2 = entry('k', '2')
    const a3 = entry('k', '3')
    expect(supersededIn([a1, a2], 'p')).toEqual(new Set([a1.digest]))
    expect(supersededIn([a1, a2, a3], 'p')).toEqual(new Set([a1.digest, a2.digest]))
  })

  test('a writer deletes only its own earlier attempts, not another leg superseded by someone else', () => {
    const mine = entry('leg-0', '2')
    const myOld = entry('leg-0', '1')
    const theirOld = entry('leg-1', '1')
    const theirNew = entry('leg-1', '2')
    expect(supersededBy([mine], [myOld, theirOld, theirNew, mine], 'p')).toEqual(new Set([myOld.digest]))
  })

  test('another prefix is another namespace', () => {
    const a1 = entry('k', '1')
    const a2 = entry('k', '2')
    expect(supersededIn([a1, a2], 'q').size).toBe(0)
  })
})
