import { UsageError, OciError } from '../../src/errors.js'
import { failed, finished } from '../../src/report/ending.js'
import { jsonReport, outputLog, outputsOf, outputValues } from '../../src/report/outputs.js'
import { escapeMarkdown, renderSummary } from '../../src/report/summary.js'
import { renderText } from '../../src/report/text.js'
import { parseReference } from '../../src/oci/reference.js'
import type { AttachResult, DiscoverResult, GetResult, VerifyResult } from '../../src/run.js'
import { buildDocument } from '../../src/metadata/document.js'
import { CREATED, githubCi, image } from '../metadata/sample.js'

const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const C = `sha256:${'c'.repeat(64)}`
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

const base = (over: Partial<AttachResult> = {}): AttachResult => ({
  command: 'attach',
  mode: 'artifact',
  image: parseReference('ghcr.io/acme/app:v1'),
  subject: { mediaType: MANIFEST, digest: A, size: 1 },
  artifactDigest: B,
  digestChanged: false,
  attachments: [{ kind: 'metadata', label: 'metadata', digest: B, artifactType: 'application/vnd.oci-build-metadata.v1+json' }],
  referrers: [{ mediaType: MANIFEST, digest: B, size: 9, artifactType: 'application/vnd.oci-build-metadata.v1+json' }],
  via: 'tag-schema',
  verified: true,
  missing: [],
  problems: [],
  notes: [],
  ...over
})

const verify = (over: Partial<VerifyResult> = {}): VerifyResult => ({
  command: 'verify',
  image: parseReference('ghcr.io/acme/app:v1'),
  subject: { mediaType: MANIFEST, digest: A, size: 1 },
  referrers: [],
  gate: [],
  verified: true,
  missing: [],
  problems: [],
  notes: [],
  ...over
})

const discover = (over: Partial<DiscoverResult> = {}): DiscoverResult => ({
  command: 'discover',
  image: parseReference('ghcr.io/acme/app:v1'),
  subject: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: A, size: 1 },
  tree: [{ descriptor: { mediaType: MANIFEST, digest: B, size: 9, artifactType: 'application/spdx+json' }, children: [] }],
  platforms: [
    {
      descriptor: { mediaType: MANIFEST, digest: C, size: 5, platform: { os: 'linux', architecture: 'arm64' } },
      attestations: [],
      referrers: [
        { descriptor: { mediaType: MANIFEST, digest: `sha256:${'d'.repeat(64)}`, size: 7, artifactType: 'application/vnd.in-toto+json' }, children: [] }
      ]
    }
  ],
  via: 'api',
  depth: 4,
  notes: [],
  ...over
})

test('outputs follow the contract names and encodings', () => {
  const o = outputsOf(finished(base({ annotations: { a: 'b' } })))
  // exit-code is an output of every ending; the metadata's carrier is named only when there is a document
  expect(Object.keys(o).sort()).toEqual(['annotations', 'artifact-digest', 'exit-code', 'missing', 'referrers', 'subject-digest', 'verified'])
  expect(o.verified).toBe('true')
  expect(JSON.parse(o.referrers!)).toHaveLength(1)
  expect(JSON.parse(o.annotations!)).toEqual({ a: 'b' })
  const j = jsonReport(finished(base()))
  expect(j.verified).toBe(true)
  expect(Array.isArray(j.referrers)).toBe(true)
})

test('--json carries the values themselves: the document as an object, not a string parsed back', () => {
  const doc = buildDocument({ ci: githubCi, image, created: CREATED })
  const j = jsonReport(finished(base({ metadata: doc })))
  expect(j.metadata).toBe(doc)
  expect(j['metadata-digest']).toBe(B)
  expect(j['exit-code']).toBe(0)
})

test('annotations mode reports image-digest and the digest change, and says which digest carries the metadata', () => {
  const doc = buildDocument({ ci: githubCi, image, created: CREATED })
  // annotations mode writes no artifact: the result has no artifactDigest
  const { artifactDigest: _artifact, ...r } = base({
    mode: 'annotations',
    imageDigest: C,
    digestChanged: true,
    metadata: doc,
    // notes hold other things: the summary must not take the first one for the digest change
    notes: ['an unrelated note'],
    attachments: []
  })
  const o = outputsOf(finished(r))
  expect(o['image-digest']).toBe(C)
  expect(o['artifact-digest']).toBeUndefined()
  expect(o['metadata-digest']).toBe(C)
  expect(o['subject-digest']).toBe(A)
  const md = renderSummary(finished(r))
  expect(md).toMatch(/The image digest changed/)
  expect(md).toMatch(new RegExp(`The image digest changed\\.\\*\\* the image digest changed from ${A} to ${C}`))
  expect(md).not.toMatch(/changed\.\*\* an unrelated note/)
  expect(md).toContain(`| New image digest (carries the metadata) | \`${C}\` |`)
  expect(renderText(r)).toMatch(/\(changed\)/)
})

test('the summary escapes user text so it cannot inject markup', () => {
  expect(escapeMarkdown('a|b <script>x</script> [link](http://e)')).toBe('a\\|b &lt;script&gt;x&lt;/script&gt; \\[link\\]\\(http://e\\)')
  const r = base({ problems: ['tag <img src=x> | broken'], verified: false })
  const md = renderSummary(finished(r))
  expect(md).not.toContain('<img')
  expect(md).toContain('❌ not verified')
})

/** Cells of a GFM table row: split on `|` not preceded by a backslash. */
const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2

test('a registry-supplied artifactType or title with | ` and a newline cannot break a table row', () => {
  const hostile = 'application/x|evil`|y\n| injected | row |'
  const title = 'sbom | `x` \n<b>bold</b>'
  const tree = [
    { descriptor: { mediaType: MANIFEST, digest: B, size: 1, artifactType: hostile, annotations: { 'org.opencontainers.image.title': title } }, children: [] }
  ]
  for (const md of [
    renderSummary(finished(base({ referrers: [{ mediaType: MANIFEST, digest: B, size: 1, artifactType: hostile }] }))),
    renderSummary(finished(verify({ referrers: [{ mediaType: MANIFEST, digest: B, size: 1, artifactType: hostile }] }))),
    renderSummary(finished(discover({ tree })))
  ]) {
    const lines = md.split('\n')
    let header = 0
    for (const line of lines) {
      if (!line.startsWith('|')) {
        header = 0
        continue
      }
      if (!header) header = cells(line)
      else expect({ line, cells: cells(line) }).toEqual({ line, cells: header })
    }
    // markup from the registry stays inside code spans, where it is text
    for (const line of lines) {
      for (let i = line.indexOf('<b>'); i >= 0; i = line.indexOf('<b>', i + 1)) expect(line.slice(0, i).split('`').length % 2).toBe(0)
    }
    expect(md).not.toMatch(/^\| injected/m)
  }
})

test('the gate table lists each requirement with its result', () => {
  const r = verify({
    gate: [{ scope: 'image', requirement: 'sbom', found: false, detail: 'SBOM is missing' }],
    verified: false,
    missing: ['sbom']
  })
  expect(renderSummary(finished(r))).toMatch(/\| image \| sbom \| ❌ missing \| SBOM is missing \|/)
  expect(renderText(r)).toMatch(/✘ sbom: SBOM is missing/)
})

test("discover reports what is there, never a verdict, and lists each platform's referrers", () => {
  const e = finished(discover())
  const md = renderSummary(e)
  expect(md).not.toMatch(/verified/i)
  expect(md).not.toContain('✅')
  expect(md).toContain('#### Referrers of the index')
  expect(md).toMatch(/#### linux\/arm64 `sha256:c+`/)
  expect(md).toContain(`\`sha256:${'d'.repeat(64)}\``)
  const o = outputValues(e)
  expect(o.verified).toBeUndefined()
  expect(o.missing).toBeUndefined()
  const j = jsonReport(e)
  expect(j).not.toHaveProperty('verified')
  expect(j).not.toHaveProperty('mode')
  expect(renderText(discover())).not.toMatch(/verified/)
})

test('a failure reports the error and its exit code in every form, with a verdict only for attach and verify', () => {
  const usage = failed(new UsageError('input mode must be artifact or annotations, got "x"'), { image: 'ghcr.io/acme/app:v1' })
  expect(outputsOf(usage)).toEqual({ verified: 'false', missing: '[]', 'exit-code': '2', error: 'input mode must be artifact or annotations, got "x".' })
  const md = renderSummary(usage)
  expect(md).toContain('### Build metadata')
  expect(md).toContain('| Result | ❌ exit 2: bad usage or input (nothing was written) |')
  expect(md).toContain('`ghcr.io/acme/app:v1`')
  const unreachable = failed(new OciError('NETWORK', 'list referrers: network error (ECONNREFUSED)', { hint: 'check the host' }), { command: 'discover' })
  expect(outputsOf(unreachable)).toEqual({ 'exit-code': '3', error: 'list referrers: network error (ECONNREFUSED). Check the host.' })
  expect(renderSummary(unreachable)).toMatch(/### Referrers[\s\S]*exit 3: the registry could not be read/)
  expect(jsonReport(unreachable)).toEqual({ command: 'discover', 'exit-code': 3, error: 'list referrers: network error (ECONNREFUSED). Check the host.' })
})

test('get reports what it read, from where, and its digest; the document only when it read one', () => {
  const r: GetResult = {
    command: 'get',
    image: parseReference('ghcr.io/acme/app:v1'),
    subject: { mediaType: MANIFEST, digest: A, size: 1 },
    kind: 'sbom',
    picked: { descriptor: { mediaType: MANIFEST, digest: B, size: 3 }, source: 'index-attestation', scope: 'linux/amd64', created: '2026-01-01T00:00:00Z' },
    content: { mediaType: 'application/vnd.in-toto+json', digest: C, size: 3, bytes: new Uint8Array([1, 2, 3]) },
    output: '/tmp/sbom.json',
    others: [],
    notes: []
  }
  expect(outputsOf(finished(r))).toEqual({ 'subject-digest': A, 'artifact-digest': B, 'content-digest': C, 'exit-code': '0' })
  expect(renderText(r)).toMatch(/read: +sbom from BuildKit's attestation manifest sha256:b+ \(linux\/amd64\)/)
  expect(renderSummary(finished(r))).not.toMatch(/verified/)
  expect(jsonReport(finished(r))).toMatchObject({ source: 'index-attestation', scope: 'linux/amd64', output: '/tmp/sbom.json', size: 3 })
})

test('the action logs the document once: not again inside the annotations and referrers outputs', () => {
  const doc = buildDocument({ ci: githubCi, image, created: CREATED })
  const payload = JSON.stringify(doc)
  const r = base({
    metadata: doc,
    annotations: { 'dev.oci-build-metadata': payload, 'dev.oci-build-metadata.version': '1' },
    referrers: [{ mediaType: MANIFEST, digest: B, size: 9, artifactType: 'x/y', annotations: { 'dev.oci-build-metadata': payload } }]
  })
  const log = outputLog(outputValues(finished(r)), 'dev.oci-build-metadata')
    .map(([, text]) => text)
    .join('\n')
  expect(log.split('"schemaVersion"').length - 1).toBe(1)
  expect(log).toContain('(the metadata document')
})
