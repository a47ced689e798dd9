import { classify, needsManifest } from '../../src/verify/classify.js'
import { formatAge, formatElapsed } from '../../src/verify/ages.js'
import { chooseMetadata, evaluateGate, policyProblem, type Evidence } from '../../src/verify/gate.js'
import type { BuildMetadata } from '../../src/metadata/schema.js'
import type { Descriptor, ImageManifest } from '../../src/oci/types.js'
import { withIndexEvidence } from '../../src/verify/evidence.js'

const doc = (commit: string | undefined, created = '2026-11-01T00:00:00.000Z'): BuildMetadata =>
  ({
    schemaVersion: 1,
    created,
    image: { original: 'r/a:1', registry: 'r', repository: 'a', name: 'r/a', digest: `sha256:${'a'.repeat(64)}`, mediaType: 'x/y', size: 1 },
    source: commit ? { commit } : {},
    ci: { provider: 'none' },
    opencontainers: {}
  }) as BuildMetadata

const now = new Date('2026-11-22T00:00:00Z')
const COMMIT = '0123456789abcdef0123456789abcdef01234567'
const md = (d: BuildMetadata | undefined, problem?: string): Evidence => ({
  digest: 'sha256:m',
  artifactType: 'application/vnd.oci-build-metadata.v1+json',
  kinds: new Set(['metadata']),
  source: 'referrer',
  ...(d ? { document: d } : {}),
  ...(problem ? { problem } : {})
})

describe('policyProblem', () => {
  test.each([
    ['full sha matches', { revision: COMMIT }, undefined],
    ['uppercase sha matches', { revision: COMMIT.toUpperCase() }, undefined],
    ['7-char prefix matches', { revision: COMMIT.slice(0, 7) }, undefined],
    ['other commit', { revision: 'f'.repeat(40) }, /is not the required revision/],
    ['6-char prefix is too short to match', { revision: COMMIT.slice(0, 6) }, /is not the required revision/],
    ['within max age', { maxAgeMs: 30 * 86400e3 }, undefined],
    ['older than max age', { maxAgeMs: 7 * 86400e3 }, /older than the allowed 7d/]
  ])('%s', (_name, p, expected) => {
    const res = policyProblem(doc(COMMIT), { now, ...p })
    if (expected === undefined) expect(res).toBeUndefined()
    else expect(res).toMatch(expected)
  })
  test('a document without a commit fails a revision check', () => {
    expect(policyProblem(doc(undefined), { now, revision: COMMIT })).toMatch(/names no commit/)
  })
})

test('formatAge picks the largest whole unit', () => {
  expect([formatAge(86400e3 * 90), formatAge(3600e3 * 12), formatAge(60e3 * 30), formatAge(45e3)]).toEqual(['90d', '12h', '30m', '45s'])
  // zero is zero seconds, not "0d"
  expect(formatAge(0)).toBe('0s')
})

test('a document older than max-age: the message states when it was created, how long ago, and the limit', () => {
  const p = policyProblem(doc(COMMIT, '2026-11-18T20:00:00.000Z'), { now, maxAgeMs: 2 * 86400e3 })
  expect(p).toBe('it was created 2026-11-18T20:00:00.000Z, 3d 4h ago, older than the allowed 2d')
  expect([formatElapsed(3 * 86400e3 + 4 * 3600e3 + 59e3), formatElapsed(2 * 3600e3 + 5 * 60e3), formatElapsed(45e3), formatElapsed(900)]).toEqual([
    '3d 4h',
    '2h 5m',
    '45s',
    '0s'
  ])
})

describe('evaluateGate', () => {
  const sbom: Evidence = { digest: 'sha256:s', artifactType: 'application/spdx+json', kinds: new Set(['sbom']), source: 'referrer' }
  test('defaults to requiring metadata', () => {
    expect(evaluateGate([], [], { now })).toEqual([expect.objectContaining({ requirement: 'metadata', found: false })])
  })
  test('metadata found, sbom found, provenance missing', () => {
    const rows = evaluateGate(['metadata', 'sbom', 'provenance'], [md(doc(COMMIT)), sbom], { now })
    expect(rows.map(r => [r.requirement, r.found])).toEqual([
      ['metadata', true],
      ['sbom', true],
      ['provenance', false]
    ])
    expect(rows[2]!.detail).toMatch(/provenance is missing/)
    expect(rows[1]!.by).toContain('sha256:s')
  })
  test('one good metadata document among bad ones satisfies; all bad explains each', () => {
    const bad = md(undefined, 'digest mismatch')
    expect(evaluateGate(['metadata'], [bad, md(doc(COMMIT))], { now, revision: COMMIT })[0]!.found).toBe(true)
    const rows = evaluateGate(['metadata'], [bad, md(doc('f'.repeat(40)))], { now, revision: COMMIT })
    expect(rows[0]!.found).toBe(false)
    expect(rows[0]!.detail).toMatch(/digest mismatch.*is not the required revision/)
  })
  test('literal artifactType requirements match exactly', () => {
    const rows = evaluateGate(['application/spdx+json', 'application/vnd.cyclonedx+json'], [sbom], { now })
    expect(rows.map(r => r.found)).toEqual([true, false])
  })
  test('duplicate requirements are reported once', () => {
    expect(evaluateGate(['sbom', 'sbom'], [sbom], { now })).toHaveLength(1)
  })
})

describe('classify', () => {
  const d = (artifactType: string, annotations?: Record<string, string>): Descriptor => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: 'sha256:x',
    size: 1,
    artifactType,
    ...(annotations ? { annotations } : {})
  })
  test.each([
    ['our metadata', d('application/vnd.oci-build-metadata.v1+json'), ['metadata']],
    ['SPDX', d('application/spdx+json'), ['sbom']],
    ['CycloneDX', d('application/vnd.cyclonedx+json'), ['sbom']],
    ['in-toto SLSA', d('application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' }), ['provenance']],
    ['in-toto SPDX attestation', d('application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://spdx.dev/Document/v2.3' }), ['sbom']],
    [
      'Sigstore bundle with SLSA',
      d('application/vnd.dev.sigstore.bundle.v0.3+json', { 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' }),
      ['provenance']
    ],
    [
      'Sigstore bundle with CycloneDX',
      d('application/vnd.dev.sigstore.bundle.v0.3+json', { 'dev.sigstore.bundle.predicateType': 'https://cyclonedx.org/bom' }),
      ['sbom']
    ],
    ['cosign signature', d('application/vnd.dev.cosign.artifact.sig.v1+json'), []],
    ['in-toto without a predicate', d('application/vnd.in-toto+json'), []]
  ])('%s', (_n, desc, kinds) => {
    expect([...classify(desc)].sort()).toEqual(kinds)
  })
  test('BuildKit attestation manifests are classified from their layers', () => {
    const desc: Descriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:a',
      size: 1,
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' }
    }
    const m = {
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:c', size: 1 },
      layers: [
        {
          mediaType: 'application/vnd.in-toto+json',
          digest: 'sha256:l1',
          size: 1,
          annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }
        },
        { mediaType: 'application/vnd.in-toto+json', digest: 'sha256:l2', size: 1, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }
      ]
    } as ImageManifest
    expect(needsManifest(desc)).toBe(true)
    expect([...classify(desc, m)].sort()).toEqual(['provenance', 'sbom'])
    expect([...classify(desc)]).toEqual([])
  })
})

describe('a platform of an index (platforms: each) counts what the index carries for all its platforms', () => {
  const AMD = `sha256:${'1'.repeat(64)}`
  const ARM = `sha256:${'2'.repeat(64)}`
  const indexDoc = (platforms: string[]) =>
    ({ ...doc(COMMIT), image: { ...doc(COMMIT).image, platforms: platforms.map(d => ({ os: 'linux', architecture: 'x', digest: d })) } }) as BuildMetadata
  const sbomOnIndex: Evidence = { digest: 'sha256:s', artifactType: 'application/spdx+json', kinds: new Set(['sbom']), source: 'referrer' }
  const buildkitForAmd: Evidence = { digest: 'sha256:b', kinds: new Set(['provenance']), source: 'index-attestation' }

  test("the index's SBOM counts for a platform, labelled as the index's", () => {
    const rows = evaluateGate(['sbom'], withIndexEvidence([], [sbomOnIndex], ARM), { now })
    expect(rows[0]).toMatchObject({ found: true, by: 'referrer of the index sha256:s (application/spdx+json)' })
  })

  test("the index's metadata counts for the platforms its document lists, and only those", () => {
    const onIndex = { ...md(indexDoc([AMD])), digest: 'sha256:i' }
    expect(evaluateGate(['metadata'], withIndexEvidence([], [onIndex], AMD), { now })[0]?.found).toBe(true)
    const arm = evaluateGate(['metadata'], withIndexEvidence([], [onIndex], ARM), { now })[0]
    expect(arm?.found).toBe(false)
    expect(arm?.detail).toContain(`it describes the index without listing platform ${ARM}`)
  })

  test("BuildKit's attestations were already taken per platform: the index's are not added again", () => {
    expect(evaluateGate(['provenance'], withIndexEvidence([], [buildkitForAmd], ARM), { now })[0]?.found).toBe(false)
  })
})

describe('chooseMetadata: the document the gate and the outputs report', () => {
  const at = (digest: string, commit: string, created: string, extra: Partial<Evidence> = {}): Evidence => ({ ...md(doc(commit, created)), digest, ...extra })
  const older = at('sha256:old', COMMIT, '2026-11-01T00:00:00.000Z')
  const newer = at('sha256:new', 'f'.repeat(40), '2026-11-20T00:00:00.000Z')

  test('the newest that passes, whatever the listing order; the others with their reasons', () => {
    const c = chooseMetadata([older, newer], { now })
    expect(c.chosen?.digest).toBe('sha256:new')
    expect(c.passedOver.map(p => [p.evidence.digest, p.reason])).toEqual([['sha256:old', 'an older document than the one taken (sha256:new)']])
  })
  test('a newer one that fails a condition is passed over, saying which', () => {
    const c = chooseMetadata([older, newer], { now, revision: COMMIT })
    expect(c.chosen?.digest).toBe('sha256:old')
    expect(c.passedOver[0]?.reason).toBe(`its commit ${'f'.repeat(40)} is not the required revision ${COMMIT}`)
    expect(chooseMetadata([older, newer], { now, maxAgeMs: 7 * 86400e3 }).chosen?.digest).toBe('sha256:new')
  })
  test("a platform's own document before the index's, even when the index's is newer", () => {
    const fromIndex = { ...newer, digest: 'sha256:idx', of: 'index' as const }
    expect(chooseMetadata([fromIndex, older], { now }).chosen?.digest).toBe('sha256:old')
  })
})
