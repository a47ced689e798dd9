// `sbom` as a policy reads it, from the committed SBOM fixtures (files as SPDX and CycloneDX tools write them).
import { readFileSync } from 'node:fs'
import { MAX_POLICY_SBOM_DOCUMENT_BYTES, summarize } from '../../src/policy/sbom.js'

const fixture = (name: string) => readFileSync(`__fixtures__/sbom/${name}`, 'utf8')
const where = { digest: `sha256:${'a'.repeat(64)}`, artifactType: 'application/vnd.cyclonedx+json' }
const unknown = { format: 'unknown' as const, specVersion: null }

test.each([
  ['cyclonedx-1.5.json', { format: 'cyclonedx', specVersion: '1.5', components: 1 }],
  ['spdx-2.3.json', { format: 'spdx', specVersion: '2.3', components: 2 }],
  ['spdx-3.0.json', { format: 'spdx', specVersion: '3.0.1', components: 1 }]
])('%s: format, spec version, components, and the document itself', (name, want) => {
  const text = fixture(name)
  const s = summarize(JSON.parse(text), text.length, unknown, where)
  expect(s).toMatchObject(want)
  expect(s.document).toEqual(JSON.parse(text))
})

test('CycloneDX components nested in components count too', () => {
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    components: [{ name: 'a', components: [{ name: 'b' }, { name: 'c', components: [{ name: 'd' }] }] }, { name: 'e' }]
  }
  expect(summarize(bom, 100, unknown, where).components).toBe(5)
})

test("an SBOM in an in-toto statement (BuildKit's attestation) is its predicate", () => {
  const spdx = JSON.parse(fixture('spdx-2.3.json'))
  const statement = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document', subject: [], predicate: spdx }
  expect(summarize(statement, 100, unknown, where)).toMatchObject({ format: 'spdx', specVersion: '2.3', components: 2, document: spdx })
})

test(`over ${MAX_POLICY_SBOM_DOCUMENT_BYTES} bytes the document is left out, the count stays; not JSON: what the referrer says`, () => {
  const bom = JSON.parse(fixture('cyclonedx-1.5.json'))
  expect(summarize(bom, MAX_POLICY_SBOM_DOCUMENT_BYTES + 1, unknown, where)).toMatchObject({ document: null, components: 1, format: 'cyclonedx' })
  expect(summarize(null, 0, { format: 'cyclonedx', specVersion: '1.5' }, where)).toEqual({
    ...where,
    format: 'cyclonedx',
    specVersion: '1.5',
    components: null,
    document: null
  })
})
