import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeError, isOciError } from '../../src/errors.js'
import { digestFile } from '../../src/oci/digest.js'
import { detectSbom, expandSbomInputs, sbomAnnotations, type DetectedSbom } from '../../src/sbom-provenance/sbom.js'

const FIX = fileURLToPath(new URL('../../__fixtures__/sbom/', import.meta.url))

async function usageError(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    expect(isOciError(e, 'INVALID_INPUT')).toBe(true)
    return e as Error
  }
  throw new Error('expected a usage error')
}

describe('detectSbom', () => {
  it.each<[string, Partial<DetectedSbom>]>([
    ['spdx-2.3.json', { format: 'spdx-json', artifactType: 'application/spdx+json', specVersion: '2.3', name: 'ghcr.io/example/app' }],
    ['cyclonedx-1.5.json', { format: 'cyclonedx-json', artifactType: 'application/vnd.cyclonedx+json', specVersion: '1.5', name: 'ghcr.io/example/app' }],
    ['cyclonedx-1.5.xml', { format: 'cyclonedx-xml', artifactType: 'application/vnd.cyclonedx+xml', specVersion: '1.5', name: 'app & tools' }],
    ['spdx-2.3.spdx', { format: 'spdx-tag-value', artifactType: 'text/spdx', specVersion: '2.3', name: 'example-app-1.0.0' }],
    // SPDX 3 JSON-LD: its own media type (IANA application/spdx3+json), not SPDX 2's
    ['spdx-3.0.json', { format: 'spdx3-json', artifactType: 'application/spdx3+json', specVersion: '3.0.1', name: 'ghcr.io/example/app' }]
  ])('%s', async (file, expected) => {
    const path = join(FIX, file)
    const s = await detectSbom(path)
    expect(s).toMatchObject({ ...expected, path, mediaType: expected.artifactType })
    expect({ digest: s.digest, size: s.size }).toEqual(await digestFile(path))
  })

  it('goes by content, never by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obm-sbom-'))
    try {
      const { readFile } = await import('node:fs/promises')
      await writeFile(join(dir, 'bom.txt'), await readFile(join(FIX, 'cyclonedx-1.5.json')))
      await writeFile(join(dir, 'sbom.spdx.json'), await readFile(join(FIX, 'not-an-sbom.json')))
      expect((await detectSbom(join(dir, 'bom.txt'))).format).toBe('cyclonedx-json')
      await usageError(detectSbom(join(dir, 'sbom.spdx.json')))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses JSON-LD with an SPDX 3 context but no @graph, saying so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obm-sbom-'))
    try {
      await writeFile(join(dir, 'half.json'), JSON.stringify({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', elements: [] }))
      expect(describeError(await usageError(detectSbom(join(dir, 'half.json'))))).toMatch(/it has an SPDX 3 "@context" but no "@graph"/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    ['not-an-sbom.json', /neither "spdxVersion"\/"SPDXID" nor "bomFormat"\/"specVersion"/],
    ['cyclonedx-wrong-format.json', /"bomFormat": "SomethingElse"/]
  ])('refuses %s naming the file and what was expected', async (file, why) => {
    const msg = describeError(await usageError(detectSbom(join(FIX, file))))
    expect(msg).toContain(file)
    expect(msg).toMatch(why)
    expect(msg).toContain('. Expected SPDX JSON')
    expect(msg).toContain('CycloneDX JSON')
  })

  it.each([
    ['plain text', 'hello world\n'],
    ['XML that is not CycloneDX', '<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"></project>'],
    ['a bom in another namespace', '<bom xmlns="http://example.com/bom/1.5"></bom>'],
    ['broken JSON', '{"spdxVersion": "SPDX-2.3", '],
    ['a JSON array', '[{"spdxVersion": "SPDX-2.3", "SPDXID": "x"}]'],
    ['SPDX fields nested, not top level', '{"doc": {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT"}}'],
    ['an empty file', '']
  ])('refuses %s', async (_n, content) => {
    const dir = await mkdtemp(join(tmpdir(), 'obm-sbom-'))
    try {
      await writeFile(join(dir, 'x'), content)
      expect((await usageError(detectSbom(join(dir, 'x')))).message).toContain(join(dir, 'x'))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('accepts a byte order mark and a namespace prefix on the XML root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obm-sbom-'))
    try {
      await writeFile(join(dir, 'a'), '\uFEFF{"bomFormat":"CycloneDX","specVersion":"1.6"}')
      await writeFile(join(dir, 'b'), '<?xml version="1.0"?>\n<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.4" version="1"/>')
      expect(await detectSbom(join(dir, 'a'))).toMatchObject({ format: 'cyclonedx-json', specVersion: '1.6' })
      expect(await detectSbom(join(dir, 'b'))).toMatchObject({ format: 'cyclonedx-xml', specVersion: '1.4' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('sbomAnnotations', () => {
  it('names format, version, document name, creation time and file', async () => {
    const s = await detectSbom(join(FIX, 'spdx-2.3.json'))
    expect(sbomAnnotations(s, '2024-05-14T09:12:44Z', 'dev.oci-build-metadata')).toEqual({
      'dev.oci-build-metadata.sbom.format': 'spdx-json',
      'dev.oci-build-metadata.sbom.spec-version': '2.3',
      'dev.oci-build-metadata.sbom.name': 'ghcr.io/example/app',
      'org.opencontainers.image.created': '2024-05-14T09:12:44Z',
      'org.opencontainers.image.title': 'spdx-2.3.json'
    })
  })
})

describe('expandSbomInputs', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obm-glob-'))
    for (const f of [
      'a.spdx.json',
      'b.cdx.json',
      'notes.txt',
      'sub/c.spdx.json',
      'sub/deep/d.spdx.json',
      '.hidden/e.spdx.json',
      'sub/.f.spdx.json',
      'x1.json',
      'x2.json',
      'xa.json'
    ]) {
      await mkdir(join(dir, f, '..'), { recursive: true })
      await writeFile(join(dir, f), '{}')
    }
    await symlink(join(dir, 'sub'), join(dir, 'loop')).catch(() => undefined)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const abs = (...fs: string[]) => fs.map(f => join(dir, f)).sort()

  it.each<[string, string[], string[]]>([
    ['a plain path', ['a.spdx.json'], ['a.spdx.json']],
    ['*', ['*.json'], ['a.spdx.json', 'b.cdx.json', 'x1.json', 'x2.json', 'xa.json']],
    ['?', ['x?.json'], ['x1.json', 'x2.json', 'xa.json']],
    ['[..]', ['x[0-9].json'], ['x1.json', 'x2.json']],
    ['[!..]', ['x[!0-9].json'], ['xa.json']],
    ['** (no dot dirs, no symlinked dirs)', ['**/*.spdx.json'], ['a.spdx.json', 'sub/c.spdx.json', 'sub/deep/d.spdx.json']],
    ['a dot segment opts in', ['sub/.*.json'], ['sub/.f.spdx.json']],
    ['several patterns, deduplicated', ['a.spdx.json', '*.spdx.json', ' ', 'sub/*/d.spdx.json'], ['a.spdx.json', 'sub/deep/d.spdx.json']]
  ])('%s', async (_n, patterns, expected) => {
    expect(await expandSbomInputs(patterns, dir)).toEqual(abs(...expected))
  })

  it('takes absolute patterns', async () => {
    expect(await expandSbomInputs([join(dir, 'sub', '*.json')], '/')).toEqual(abs('sub/c.spdx.json'))
  })

  it.each([
    ['a pattern matching nothing', 'nothing-*.json', /"nothing-\*\.json" matches no file/],
    ['a missing file', 'missing.json', /"missing\.json" does not exist/],
    ['a directory', 'sub', /"sub" is not a file/]
  ])('refuses %s, naming it', async (_n, pattern, msg) => {
    expect((await usageError(expandSbomInputs(['a.spdx.json', pattern], dir))).message).toMatch(msg)
  })
})
