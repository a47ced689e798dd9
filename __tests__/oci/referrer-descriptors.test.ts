import { digestOf } from '../../src/oci/digest.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import { editReferrersIndex, effectiveArtifactType, referrersTagName, filterByArtifactType, isIncompleteReferrer } from '../../src/oci/referrer-descriptors.js'
import { parseManifest, type Descriptor, type ImageIndex } from '../../src/oci/types.js'

const desc = (name: string, extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType: MediaType.ImageManifest,
  digest: digestOf(name),
  size: name.length,
  ...extra
})
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as ImageIndex

describe('referrersTagName', () => {
  test('sha256: <alg>-<hex>', () => {
    const d = digestOf('x')
    expect(referrersTagName(d)).toBe(`sha256-${d.slice(7)}`)
    expect(referrersTagName(d)).toHaveLength(71)
  })
  test('sha512: the hex is truncated to 64 characters', () => {
    const d = digestOf('x', 'sha512')
    expect(referrersTagName(d)).toBe(`sha512-${d.slice(7, 7 + 64)}`)
  })
  test('the tag is a valid tag (at most 128 characters of the tag grammar)', () => {
    for (const d of [digestOf('x'), digestOf('x', 'sha512')]) expect(referrersTagName(d)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)
  })
  test('an invalid digest throws', () => {
    expect(() => referrersTagName('sha256:abc')).toThrow(/64 lowercase hex digits/)
  })
})

describe('editReferrersIndex', () => {
  const foreign = {
    ...desc('cosign'),
    artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    annotations: { 'dev.sigstore.x': '1' },
    'org.example.unknown': { keep: true }
  } as Descriptor
  const other = { ...desc('oras'), platform: { os: 'linux', architecture: 'amd64' }, data: 'e30=' } as Descriptor
  const existing: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ImageIndex,
    manifests: [foreign, other],
    annotations: { 'org.example.index': 'kept' }
  }

  test('from nothing: a new OCI index with the cleaned descriptor', () => {
    const mine = { ...desc('mine', { artifactType: ArtifactType.BuildMetadataV1, annotations: { a: 'b' } }), data: 'e30=' }
    const edit = editReferrersIndex(undefined, [mine])
    expect(edit.changed).toBe(true)
    expect(edit.index).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ImageIndex,
      manifests: [{ mediaType: mine.mediaType, digest: mine.digest, size: mine.size, artifactType: mine.artifactType, annotations: { a: 'b' } }]
    })
    expect(decode(edit.bytes)).toEqual(edit.index)
    expect(() => parseManifest(edit.bytes)).not.toThrow()
  })

  test('adding keeps foreign entries first, in order, with every field they had', () => {
    const mine = desc('mine', { artifactType: ArtifactType.BuildMetadataV1, annotations: { a: 'b' } })
    const edit = editReferrersIndex(existing, [mine])
    expect(edit.changed).toBe(true)
    expect(edit.index.manifests).toEqual([foreign, other, mine])
    expect(JSON.stringify(decode(edit.bytes).manifests[0])).toBe(JSON.stringify(foreign))
    expect(JSON.stringify(decode(edit.bytes).manifests[1])).toBe(JSON.stringify(other))
    expect(edit.index.annotations).toEqual({ 'org.example.index': 'kept' })
  })

  test('re-adding the same descriptor is a no-op', () => {
    const mine = desc('mine', { artifactType: ArtifactType.BuildMetadataV1, annotations: { a: 'b' } })
    const first = editReferrersIndex(existing, [mine])
    const again = editReferrersIndex(first.index, [mine])
    expect(again.changed).toBe(false)
    expect(again.index.manifests).toHaveLength(3)
    expect(editReferrersIndex(existing, [foreign]).changed).toBe(false)
    expect(editReferrersIndex(existing, []).changed).toBe(false)
  })

  test('a newer descriptor for the same digest replaces the old one in place', () => {
    const updated = { ...foreign, annotations: { 'dev.sigstore.x': '2' } }
    const edit = editReferrersIndex(existing, [updated])
    expect(edit.changed).toBe(true)
    expect(edit.index.manifests.map(d => d.digest)).toEqual([foreign.digest, other.digest])
    expect(edit.index.manifests[0]!.annotations).toEqual({ 'dev.sigstore.x': '2' })
    // fields the newer descriptor does not define stay as the other tool wrote them
    expect((edit.index.manifests[0] as Record<string, unknown>)['org.example.unknown']).toEqual({ keep: true })
  })

  test('duplicates in the existing index and in the additions are collapsed (first kept)', () => {
    const dup = { ...existing, manifests: [foreign, other, { ...foreign, size: 999 }] }
    const mine = desc('mine')
    const edit = editReferrersIndex(dup, [mine, mine])
    expect(edit.changed).toBe(true)
    expect(edit.index.manifests.map(d => d.digest)).toEqual([foreign.digest, other.digest, mine.digest])
    expect(edit.index.manifests[0]!.size).toBe(foreign.size)
  })

  test('remove drops entries by digest and keeps the rest', () => {
    const edit = editReferrersIndex(existing, [], [foreign.digest, digestOf('absent')])
    expect(edit.changed).toBe(true)
    expect(edit.index.manifests).toEqual([other])
    expect(editReferrersIndex(existing, [], [digestOf('absent')]).changed).toBe(false)
  })

  test('remove and add of the same digest in one edit re-adds it at the end', () => {
    const edit = editReferrersIndex(existing, [foreign], [foreign.digest])
    expect(edit.index.manifests.map(d => d.digest)).toEqual([other.digest, foreign.digest])
  })

  test('a Docker manifest list (or an index without mediaType) is rewritten as an OCI index', () => {
    const docker: ImageIndex = { schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [other] }
    const edit = editReferrersIndex(docker, [])
    expect(edit.changed).toBe(true)
    expect(edit.index.mediaType).toBe(MediaType.ImageIndex)
    const bare: ImageIndex = { schemaVersion: 2, manifests: [other] }
    expect(editReferrersIndex(bare, []).changed).toBe(true)
  })

  test('does not mutate its input', () => {
    const copy = JSON.parse(JSON.stringify(existing)) as ImageIndex
    editReferrersIndex(existing, [desc('mine')], [other.digest])
    expect(existing).toEqual(copy)
  })
})

describe('isIncompleteReferrer', () => {
  test.each([
    ['no artifactType', desc('a', { annotations: { k: 'v' } }), true],
    ['no annotations', desc('a', { artifactType: ArtifactType.BuildMetadataV1 }), true],
    ['empty annotations', desc('a', { artifactType: ArtifactType.BuildMetadataV1, annotations: {} }), true],
    ['artifactType is the OCI config type', desc('a', { artifactType: MediaType.ImageConfig, annotations: { k: 'v' } }), true],
    ['artifactType is the empty type', desc('a', { artifactType: MediaType.Empty, annotations: { k: 'v' } }), true],
    ['artifactType is the Docker config type', desc('a', { artifactType: MediaType.DockerConfig, annotations: { k: 'v' } }), true],
    ['complete', desc('a', { artifactType: ArtifactType.BuildMetadataV1, annotations: { k: 'v' } }), false],
    ['complete SBOM', desc('a', { artifactType: ArtifactType.Spdx, annotations: { k: 'v' } }), false]
  ])('%s → %s', (_name, d, want) => {
    expect(isIncompleteReferrer(d)).toBe(want)
  })
})

describe('filterByArtifactType and effectiveArtifactType', () => {
  const a = desc('a', { artifactType: ArtifactType.Spdx })
  const b = desc('b', { artifactType: ArtifactType.InToto })
  const c = desc('c')
  test('no filter returns everything', () => {
    expect(filterByArtifactType([a, b, c], undefined)).toEqual([a, b, c])
    expect(filterByArtifactType([a, b, c], '')).toEqual([a, b, c])
  })
  test('filters by exact artifactType', () => {
    expect(filterByArtifactType([a, b, c], ArtifactType.InToto)).toEqual([b])
    expect(filterByArtifactType([a, b, c], 'application/none')).toEqual([])
  })
  test('artifactType wins over config.mediaType, which is the fallback', () => {
    expect(effectiveArtifactType({ artifactType: 'x/y', config: { mediaType: 'c/d' } })).toBe('x/y')
    expect(effectiveArtifactType({ config: { mediaType: 'c/d' } })).toBe('c/d')
    expect(effectiveArtifactType({})).toBeUndefined()
  })
})
