import { escapeMarkdown, renderSummary } from '../../src/report/summary.js'
import { jsonReport, outputsOf } from '../../src/report/outputs.js'
import { renderText } from '../../src/report/text.js'
import { parseReference } from '../../src/oci/reference.js'
import type { Result } from '../../src/run.js'

const base = (over: Partial<Result> = {}): Result => ({
  command: 'attach',
  mode: 'artifact',
  image: parseReference('ghcr.io/acme/app:v1'),
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1 },
  artifactDigest: `sha256:${'b'.repeat(64)}`,
  digestChanged: false,
  attachments: [{ kind: 'metadata', label: 'metadata', digest: `sha256:${'b'.repeat(64)}`, artifactType: 'application/vnd.oci-build-metadata.v1+json' }],
  referrers: [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'b'.repeat(64)}`,
      size: 9,
      artifactType: 'application/vnd.oci-build-metadata.v1+json'
    }
  ],
  via: 'tag-schema',
  verified: true,
  gate: [],
  missing: [],
  problems: [],
  notes: [],
  ...over
})

test('outputs follow the contract names and encodings', () => {
  const o = outputsOf(base({ annotations: { a: 'b' } }))
  expect(Object.keys(o).sort()).toEqual(['annotations', 'artifact-digest', 'missing', 'referrers', 'subject-digest', 'verified'])
  expect(o.verified).toBe('true')
  expect(JSON.parse(o.referrers!)).toHaveLength(1)
  expect(JSON.parse(o.annotations!)).toEqual({ a: 'b' })
  const j = jsonReport(base())
  expect(j.verified).toBe(true)
  expect(Array.isArray(j.referrers)).toBe(true)
})

test('annotations mode reports image-digest and the digest change', () => {
  const r = base({
    mode: 'annotations',
    artifactDigest: undefined,
    imageDigest: `sha256:${'c'.repeat(64)}`,
    digestChanged: true,
    notes: ['the image digest changed from x to y'],
    attachments: []
  })
  expect(outputsOf(r)['image-digest']).toBe(`sha256:${'c'.repeat(64)}`)
  expect(outputsOf(r)['artifact-digest']).toBeUndefined()
  expect(renderSummary(r)).toMatch(/The image digest changed/)
  expect(renderText(r)).toMatch(/\(changed\)/)
})

test('the summary escapes user text so it cannot inject markup', () => {
  expect(escapeMarkdown('a|b <script>x</script> [link](http://e)')).toBe('a\\|b &lt;script&gt;x&lt;/script&gt; \\[link\\]\\(http://e\\)')
  const r = base({ problems: ['tag <img src=x> | broken'], verified: false })
  const md = renderSummary(r)
  expect(md).not.toContain('<img')
  expect(md).toContain('❌ not verified')
})

test('the gate table lists each requirement with its result', () => {
  const r = base({
    command: 'verify',
    gate: [{ scope: 'image', requirement: 'sbom', found: false, detail: 'SBOM is missing' }],
    verified: false,
    missing: ['sbom']
  })
  expect(renderSummary(r)).toMatch(/\| image \| sbom \| ❌ missing \| SBOM is missing \|/)
  expect(renderText(r)).toMatch(/✘ sbom: SBOM is missing/)
})
