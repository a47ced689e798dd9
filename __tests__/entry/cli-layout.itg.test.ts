// The bundled CLI against an OCI image layout: attach, verify, the gate, discover, --json, exit codes.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyFixtureLayout, FIXTURE, initLayout } from '../../__fixtures__/layout.js'
import { writeBuildKitIndex } from '../../__fixtures__/topology.js'
import { LayoutTarget } from '../../src/oci/layout/layout-target.js'
import { parseReference } from '../../src/oci/reference.js'
import { runCli } from '../../__fixtures__/action-runner.js'

const SBOM = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')

test('attach, verify, gate and discover on an OCI layout through the bundled CLI', async () => {
  const dir = await copyFixtureLayout()
  const image = `oci:${dir}:v1`
  const attach = await runCli(['attach', image, '--sbom', SBOM, '--provenance', '--json', '--metadata', '{"team":"core"}'])
  expect(attach.stderr).toBe('')
  expect(attach.code).toBe(0)
  const out = JSON.parse(attach.stdout)
  expect(out['subject-digest']).toBe(FIXTURE.v1)
  expect(out.verified).toBe(true)
  expect(out.metadata.user).toEqual({ team: 'core' })
  expect(out.metadata.image.original).toBe(image)
  expect(out.attachments).toHaveLength(3)

  // the layout holds the fallback tag too, so tools that read the tag schema find the referrers
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'))
  const refNames = index.manifests.map((d: { annotations?: Record<string, string> }) => d.annotations?.['org.opencontainers.image.ref.name']).filter(Boolean)
  expect(refNames).toContain(`sha256-${FIXTURE.v1.slice(7)}`)

  const gate = await runCli(['verify', image, '--require', 'metadata,sbom,provenance'])
  expect(gate.code).toBe(0)
  expect(gate.stdout).toMatch(/✔ sbom/)
  expect(gate.stdout).toMatch(/verified:\s+true/)

  const fail = await runCli(['verify', image, '--require', 'application/vnd.example.missing+json'])
  expect(fail.code).toBe(1)
  expect(fail.stderr.trim().split('\n')).toEqual(['error: artifactType application/vnd.example.missing+json is missing: no referrer of that type on the image'])

  const tree = await runCli(['discover', image])
  expect(tree.code).toBe(0)
  expect(tree.stdout).toContain('application/vnd.oci-build-metadata.v1+json')
  expect(tree.stdout).toContain('application/spdx+json')
  expect(tree.stdout).toMatch(/[├└]── /)
})

test('get on an OCI layout: the document, the SBOM byte for byte; discover --format json in the ORAS shape', async () => {
  const dir = await copyFixtureLayout()
  const image = `oci:${dir}:v1`
  const attach = JSON.parse((await runCli(['attach', image, '--sbom', SBOM, '--json'])).stdout)
  const doc = await runCli(['get', image])
  expect({ code: doc.code, stderr: doc.stderr }).toEqual({ code: 0, stderr: '' })
  expect(JSON.parse(doc.stdout)).toEqual(attach.metadata)
  const out = join(await mkdtemp(join(tmpdir(), 'obm-get-')), 'sbom.json')
  const sbom = await runCli(['get', image, '--artifact-type', 'application/spdx+json', '--output', out])
  expect(sbom.code).toBe(0)
  expect(Buffer.compare(await readFile(out), await readFile(SBOM))).toBe(0)
  const oras = JSON.parse((await runCli(['discover', image, '--format', 'json'])).stdout)
  expect(oras.reference).toBe(`oci:${dir}@${FIXTURE.v1}`)
  expect(oras.manifests.map((m: { reference: string }) => m.reference).sort()).toEqual(
    attach.attachments.map((a: { digest: string }) => `oci:${dir}@${a.digest}`).sort()
  )
  // annotations mode: get reads the document from the image's own (new) manifest
  const annotated = JSON.parse((await runCli(['attach', image, '--mode', 'annotations', '--json'])).stdout)
  const fromImage = await runCli(['get', image, '--json'])
  expect(JSON.parse(fromImage.stdout)).toMatchObject({
    source: 'annotations',
    'artifact-digest': annotated['image-digest'],
    'metadata-digest': annotated['image-digest'],
    metadata: { created: annotated.metadata.created }
  })
  const bytes = await runCli(['get', image])
  expect(`sha256:${createHash('sha256').update(bytes.stdout).digest('hex')}`).toBe(annotated.annotations['dev.oci-build-metadata.digest'])
})

test("get on a layout holding a BuildKit index: the SBOM statement of one platform's attestation, byte for byte", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obm-buildkit-layout-'))
  await initLayout(dir)
  const built = await writeBuildKitIndex(new LayoutTarget(parseReference(`oci:${dir}:v1`)), 'acme/app', 'v1', 'legacy')
  const arm = built.platforms[1]!
  const att = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', built.attestations.get(arm.digest)!.digest.slice(7)), 'utf8')) as {
    layers: Array<{ digest: string; annotations: Record<string, string> }>
  }
  const layer = att.layers.find(l => l.annotations['in-toto.io/predicate-type'] === 'https://spdx.dev/Document')!
  const out = join(dir, '..', `${dir.split('/').pop()}-arm64.json`)
  const r = await runCli(['get', `oci:${dir}:v1`, '--artifact-type', 'sbom', '--platform', 'linux/arm64', '--output', out])
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
  expect(Buffer.compare(await readFile(out), await readFile(join(dir, 'blobs', 'sha256', layer.digest.slice(7))))).toBe(0)
})

test('bad usage exits 2 with one line on stderr and leaves the layout untouched', async () => {
  const dir = await copyFixtureLayout()
  const before = await snapshot(dir)
  const r = await runCli(['attach', `oci:${dir}:v1`, '--mode', 'sideways'])
  expect(r.code).toBe(2)
  expect(r.stderr).toBe('error: input mode must be artifact or annotations, got "sideways".\n')
  expect(await snapshot(dir)).toEqual(before)
})

test('--help lists every input as a flag and the exit codes', async () => {
  const r = await runCli(['--help'])
  expect(r.code).toBe(0)
  for (const f of ['--artifact-type', '--artifact', '--platform', '--output', '--depth', '--format']) expect(r.stdout).toContain(f)
  for (const f of ['--image', '--digest', '--mode', '--metadata-file', '--sbom', '--provenance', '--require', '--verify-timeout', '--json'])
    expect(r.stdout).toContain(f)
  expect(r.stdout).toMatch(
    /Exit codes:\n {2}0 {2}ok\n {2}1 {2}verification or the gate found something missing or wrong\n {2}2 {2}bad usage or input.*\n {2}3 {2}the registry could not be read or written/
  )
})

async function snapshot(dir: string): Promise<Record<string, string>> {
  const files = (await readdir(dir, { recursive: true })).map(String).sort()
  const out: Record<string, string> = {}
  for (const f of files) {
    try {
      out[f] = (await readFile(join(dir, f))).toString('base64')
    } catch {
      out[f] = 'dir'
    }
  }
  return out
}
