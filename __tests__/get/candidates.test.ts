import { OciError, UsageError, describeError, exitCodeFor } from '../../src/errors.js'
import { chooseLayer } from '../../src/get/content.js'
import { matchPlatform, pickCandidate } from '../../src/get/candidates.js'
import type { Candidate } from '../../src/result.js'

const d = (n: string) => `sha256:${n.repeat(64)}`
const c = (digest: string, created?: string, scope = 'image'): Candidate => ({
  descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 },
  source: 'referrer',
  scope,
  artifactType: 'application/spdx+json',
  ...(created ? { created } : {})
})
const opts = { kind: 'sbom', image: 'ghcr.io/acme/app:v1', present: 'attached: application/spdx+json (2)', problems: [] }

function thrown(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected it to throw')
}

describe('pickCandidate: which of several get reads', () => {
  test('the newest by created, whatever the listing order; the others are named', () => {
    const r = pickCandidate([c(d('a'), '2026-01-02T00:00:00Z'), c(d('b'), '2026-03-01T00:00:00Z'), c(d('c'))], opts)
    expect(r.picked.descriptor.digest).toBe(d('b'))
    expect(r.others.map(o => o.descriptor.digest)).toEqual([d('a'), d('c')])
  })
  test('none is the newest (the same time, or no times): exit 2, listing them and how to choose', () => {
    const tie = thrown(() => pickCandidate([c(d('a'), '2026-01-02T00:00:00Z'), c(d('b'), '2026-01-02T00:00:00Z')], opts))
    expect(tie).toBeInstanceOf(UsageError)
    expect(describeError(tie)).toMatch(
      /^get: 2 SBOMs are attached to ghcr\.io\/acme\/app:v1 and none is the newest: sha256:a+ \(application\/spdx\+json, image, created 2026-01-02T00:00:00Z\); sha256:b+ .*\. Choose one by its digest with artifact \(--artifact sha256:…\)\.$/
    )
    const platforms = thrown(() => pickCandidate([c(d('a'), undefined, 'linux/amd64'), c(d('b'), undefined, 'linux/arm64')], opts))
    expect(describeError(platforms)).toMatch(/no created time.*, or narrow them by platform \(one of linux\/amd64, linux\/arm64\)\.$/)
  })
  test('one chosen by digest, even an older one; a digest that is not one of them is exit 1 naming the choices', () => {
    expect(pickCandidate([c(d('a'), '2026-01-02T00:00:00Z'), c(d('b'), '2026-03-01T00:00:00Z')], { ...opts, artifact: d('a') }).picked.descriptor.digest).toBe(
      d('a')
    )
    const wrong = thrown(() => pickCandidate([c(d('a'))], { ...opts, artifact: d('f') }))
    expect(exitCodeFor(wrong)).toBe(1)
    expect(describeError(wrong)).toBe(`get: ${d('f')} is not a SBOM of ghcr.io/acme/app:v1. Choose one of: ${d('a')}.`)
    // chosen by digest alone, of any kind
    expect(describeError(thrown(() => pickCandidate([c(d('a'))], { ...opts, kind: '', artifact: d('f') })))).toMatch(/^get: sha256:f+ is not a referrer of /)
  })
  test('nothing of that kind: exit 1, saying what is there instead', () => {
    const none = thrown(() => pickCandidate([], { ...opts, present: 'attached: application/vnd.oci-build-metadata.v1+json' }))
    expect(none).toBeInstanceOf(OciError)
    expect(exitCodeFor(none)).toBe(1)
    expect(describeError(none)).toBe(
      'get: no SBOM is attached to ghcr.io/acme/app:v1. Attached: application/vnd.oci-build-metadata.v1+json; list them with discover.'
    )
  })
})

test('matchPlatform: os/arch matches a variant when it is the only one', () => {
  const p = (architecture: string, variant?: string) => ({
    mediaType: 'm/t',
    digest: d(architecture[0]!),
    size: 1,
    platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) }
  })
  expect(matchPlatform([p('amd64'), p('arm64', 'v8')], 'linux/arm64').map(x => x.platform?.variant)).toEqual(['v8'])
  expect(matchPlatform([p('amd64'), p('arm64', 'v8')], 'linux/arm64/v8')).toHaveLength(1)
  expect(matchPlatform([p('amd64')], 'linux/s390x')).toEqual([])
})

describe('chooseLayer: the one layer that holds what was asked for', () => {
  const layer = (n: string, mediaType: string, predicate?: string) => ({
    mediaType,
    digest: d(n),
    size: 1,
    ...(predicate ? { annotations: { 'in-toto.io/predicate-type': predicate } } : {})
  })
  const m = (...layers: ReturnType<typeof layer>[]) => ({
    schemaVersion: 2 as const,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d('e'), size: 2 },
    layers
  })
  test("BuildKit's attestation: the statement by its predicate", () => {
    const att = m(
      layer('1', 'application/vnd.in-toto+json', 'https://slsa.dev/provenance/v0.2'),
      layer('2', 'application/vnd.in-toto+json', 'https://spdx.dev/Document')
    )
    expect(chooseLayer(att, 'sbom', undefined, 'x').digest).toBe(d('2'))
    expect(chooseLayer(att, 'provenance', undefined, 'x').digest).toBe(d('1'))
  })
  test('an SBOM referrer: its one layer; several that none matches: refused, listing them', () => {
    expect(chooseLayer(m(layer('3', 'application/spdx+json')), 'sbom', 'application/spdx+json', 'x').digest).toBe(d('3'))
    const many = thrown(() => chooseLayer(m(layer('4', 'text/plain'), layer('5', 'text/plain')), 'application/x+json', 'application/x+json', 'referrer y'))
    expect(describeError(many)).toMatch(
      /^get: referrer y holds 2 layers \(sha256:4+ \(text\/plain\), sha256:5+ \(text\/plain\)\) and none is the one asked for\. Read it with oras pull/
    )
  })
})
