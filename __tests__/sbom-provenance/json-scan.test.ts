import { JsonPathScanner, MAX_CAPTURE_BYTES } from '../../src/sbom-provenance/json-scan.js'

const PATHS = ['spdxVersion', 'SPDXID', 'name', 'bomFormat', 'specVersion', 'metadata.component.name']

function scan(text: string, chunk: number): Map<string, string> {
  const s = new JsonPathScanner(PATHS)
  const b = Buffer.from(text, 'utf8')
  for (let i = 0; i < b.length && !s.done; i += chunk) s.write(b.subarray(i, i + chunk))
  return s.found
}

const TRICKY = JSON.stringify({
  SPDXID: 'SPDXRef-DOCUMENT',
  a: { spdxVersion: 'nested, not top level', name: 'nested' },
  b: ['spdxVersion', { name: 'in array' }, '"quoted \\" name" ', 'back\\slash\\'],
  'na\u006de': 'escaped key is the key "name"',
  metadata: { tools: [{ name: 'syft' }], component: { type: 'container', name: 'ghcr.io/o/ünï' } },
  specVersion: 1.5,
  spdxVersion: 'SPDX-2.3'
})

describe('JsonPathScanner', () => {
  it.each([1, 2, 3, 7, 64, 1 << 20])('finds top-level and nested values at chunk size %d', size => {
    const found = scan(TRICKY, size)
    expect(Object.fromEntries(found)).toEqual({
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'escaped key is the key "name"',
      'metadata.component.name': 'ghcr.io/o/ünï',
      specVersion: '1.5',
      spdxVersion: 'SPDX-2.3'
    })
  })

  it('gives up on a document that is not an object', () => {
    const s = new JsonPathScanner(PATHS)
    s.write(Buffer.from('[{"spdxVersion":"SPDX-2.3"}]'))
    expect(s.isObject).toBe(false)
    expect(s.done).toBe(true)
    expect(s.found.size).toBe(0)
  })

  it('stops once everything wanted is found', () => {
    const s = new JsonPathScanner(['bomFormat'])
    s.write(Buffer.from('{"bomFormat":"CycloneDX","components":['))
    expect(s.done).toBe(true)
  })

  it('drops an over-long value instead of growing', () => {
    const found = scan(JSON.stringify({ name: 'x'.repeat(MAX_CAPTURE_BYTES + 10), SPDXID: 'S' }), 4096)
    expect(found.has('name')).toBe(false)
    expect(found.get('SPDXID')).toBe('S')
  })
})
