/**
 * Reading back what was attached, through the bundled CLI, on distribution (the referrers tag
 * schema) and on a registry with the referrers API: `get` prints the metadata document (the newest
 * of several, or one chosen by digest) and writes an SBOM byte for byte; from an image index it
 * writes the SBOM statement of BuildKit's attestation for one platform; `discover --format json`
 * reads as `oras discover --format json` does for a script written for ORAS.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../__fixtures__/action-runner.js'
import { pushTestImage } from '../../__fixtures__/builders.js'
import { pushBuildKitIndex, pushForeignReferrer, REGISTRIES, useRegistry, COSIGN_SIG, releaseJobEnv } from '../../__fixtures__/topology.js'

const SBOM = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')
const GH = releaseJobEnv('1111111111111111111111111111111111111111')
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** What a script written for `oras discover --format json` reads: a node and its `manifests`. */
interface OrasNode {
  reference: string
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  manifests?: OrasNode[]
}

/** jq's `.manifests[] | <field>` over a parsed document, as such a script would run it. */
const each = <K extends keyof OrasNode>(n: OrasNode, field: K): Array<OrasNode[K]> => (n.manifests ?? []).map(m => m[field])

/** A blob as any consumer reads it: GET /v2/<repo>/blobs/<digest>, plain HTTP on loopback. */
async function blob(host: string, repo: string, digest: string): Promise<Uint8Array> {
  const r = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`)
  if (r.status !== 200) throw new Error(`blob ${digest}: ${r.status}`)
  return new Uint8Array(await r.arrayBuffer())
}

async function manifest(host: string, repo: string, digest: string): Promise<{ layers: Array<{ digest: string; annotations?: Record<string, string> }> }> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })
  return (await r.json()) as { layers: Array<{ digest: string; annotations?: Record<string, string> }> }
}

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  test('get prints the newest metadata document, or the one chosen by digest; an SBOM comes back byte for byte', async () => {
    const reg = registry()
    const repo = 'readback/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const first = await runCli(['attach', image, '--sbom', SBOM, '--provenance', '--json'], { ...GH, SOURCE_DATE_EPOCH: '1760000000' })
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' })
    // another run (another commit, later) attaches a second document
    const second = await runCli(['attach', image, '--json'], { ...GH, GITHUB_RUN_ID: '31338', GITHUB_SHA: '2'.repeat(40), SOURCE_DATE_EPOCH: '1760000100' })
    expect(second.code).toBe(0)
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)]

    const newest = await runCli(['get', image], GH)
    expect({ code: newest.code, stderr: newest.stderr }).toEqual({
      code: 0,
      stderr: `note: 2 metadata documents are attached; read the newest, ${b['artifact-digest']} (choose another with artifact)\n`
    })
    expect(JSON.parse(newest.stdout)).toEqual(b.metadata)
    expect(JSON.parse(newest.stdout).source.commit).toBe('2'.repeat(40))
    // the document's exact bytes: their digest is the one recorded beside it
    expect(sha256(new TextEncoder().encode(newest.stdout))).toBe(b.annotations['dev.oci-build-metadata.digest'])

    const chosen = await runCli(['get', image, '--artifact', a['artifact-digest'], '--json'], GH)
    expect(chosen.code).toBe(0)
    expect(JSON.parse(chosen.stdout)).toMatchObject({
      'artifact-digest': a['artifact-digest'],
      metadata: { source: { commit: GH.GITHUB_SHA } },
      'exit-code': 0
    })

    const dir = await mkdtemp(join(tmpdir(), 'obm-get-'))
    const out = join(dir, 'sbom.spdx.json')
    const sbom = await runCli(['get', image, '--artifact-type', 'sbom', '--output', out], GH)
    expect({ code: sbom.code, stderr: sbom.stderr }).toEqual({ code: 0, stderr: '' })
    expect(Buffer.compare(await readFile(out), await readFile(SBOM))).toBe(0)
    expect(sbom.stdout).toContain(`written to:     ${out}`)

    const prov = await runCli(['get', image, '--artifact-type', 'provenance', '--output', join(dir, 'prov.json')], GH)
    expect(prov.code).toBe(0)
    expect(JSON.parse(await readFile(join(dir, 'prov.json'), 'utf8')).predicateType).toBe('https://slsa.dev/provenance/v1')

    // nothing of that kind: exit 1, one line saying what is there instead
    const none = await runCli(['get', image, '--artifact-type', 'application/vnd.example.report+json', '--output', join(dir, 'x')], GH)
    expect(none.code).toBe(1)
    const lines = none.stderr.trim().split('\n')
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^error: get: no referrer of artifactType application/vnd\\.example\\.report\\+json is attached to ${image}\\. Attached: `)
      )
    ])
    const present = /Attached: (.*); list them with discover\.$/.exec(lines[0]!)?.[1]?.split(', ')
    expect(present?.sort()).toEqual(['application/spdx+json', 'application/vnd.in-toto+json', 'application/vnd.oci-build-metadata.v1+json (2)'])
  })

  test('from an image index: the SBOM statement inside BuildKit’s attestation for one platform; without a platform, the choice is asked for', async () => {
    const reg = registry()
    const repo = 'readback/multi'
    const built = await pushBuildKitIndex(reg.host, repo, 'v1', 'oci')
    const image = `${reg.host}/${repo}:v1`
    // BuildKit's attestations are found in the index, even with our own referrers next to them
    expect((await runCli(['attach', image, '--platforms', 'each'], GH)).code).toBe(0)
    const amd = built.platforms[0]!
    const att = built.attestations.get(amd.digest)!
    const layer = (await manifest(reg.host, repo, att.digest)).layers.find(l => l.annotations?.['in-toto.io/predicate-type'] === 'https://spdx.dev/Document')!
    const dir = await mkdtemp(join(tmpdir(), 'obm-get-'))
    const out = join(dir, 'amd64.spdx.json')
    const got = await runCli(['get', image, '--artifact-type', 'sbom', '--platform', 'linux/amd64', '--output', out, '--json'], GH)
    expect({ code: got.code, stderr: got.stderr }).toEqual({ code: 0, stderr: '' })
    expect(Buffer.compare(await readFile(out), Buffer.from(await blob(reg.host, repo, layer.digest)))).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ 'artifact-digest': att.digest, 'content-digest': layer.digest, scope: 'linux/amd64' })

    const ambiguous = await runCli(['get', image, '--artifact-type', 'sbom', '--output', out], GH)
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toMatch(
      /^error: get: 2 SBOMs are attached to .* and none is the newest: .*\. Choose one by its digest with artifact .*, or narrow them by platform \(one of linux\/amd64, linux\/arm64\)\.\n$/
    )
  })

  test('discover --format json reads as oras discover --format json: references, artifactTypes, nesting, --artifact-type and --depth', async () => {
    const reg = registry()
    const repo = 'readback/discover'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const attach = JSON.parse((await runCli(['attach', image, '--sbom', SBOM, '--json'], GH)).stdout)
    const sbom = attach.attachments.find((x: { kind: string }) => x.kind === 'sbom')
    // a signature of the SBOM: a referrer of a referrer
    const sbomBytes = await (
      await fetch(`http://${reg.host}/v2/${repo}/manifests/${sbom.digest}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })
    ).arrayBuffer()
    await pushForeignReferrer(reg, repo, { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sbom.digest, size: sbomBytes.byteLength })

    const d = await runCli(['discover', image, '--format', 'json'], GH)
    expect({ code: d.code, stderr: d.stderr }).toEqual({ code: 0, stderr: '' })
    const root = JSON.parse(d.stdout) as OrasNode
    expect(root).toMatchObject({ reference: `${reg.host}/${repo}@${img.digest}`, digest: img.digest, mediaType: img.mediaType, size: img.size })
    expect(root).not.toHaveProperty('verified')
    expect(each(root, 'reference').every(r => r.startsWith(`${reg.host}/${repo}@sha256:`))).toBe(true)
    expect(each(root, 'artifactType').sort()).toEqual(['application/spdx+json', 'application/vnd.oci-build-metadata.v1+json'])
    const sbomNode = root.manifests!.find(m => m.artifactType === 'application/spdx+json')!
    expect(sbomNode.reference).toBe(`${reg.host}/${repo}@${sbom.digest}`)
    expect(sbomNode.annotations?.['org.opencontainers.image.title']).toBe('spdx-2.3.json')
    expect(each(sbomNode, 'artifactType')).toEqual([COSIGN_SIG])
    // --json is the same object
    expect(JSON.parse((await runCli(['discover', image, '--json'], GH)).stdout)).toEqual(root)

    const filtered = JSON.parse((await runCli(['discover', image, '--format', 'json', '--artifact-type', 'application/spdx+json'], GH)).stdout) as OrasNode
    expect(each(filtered, 'digest')).toEqual([sbom.digest])
    const shallow = JSON.parse((await runCli(['discover', image, '--format', 'json', '--depth', '1'], GH)).stdout) as OrasNode
    expect(shallow.manifests?.map(m => m.manifests)).toEqual([undefined, undefined])

    // the tree: the digest reference once on the root line, the SBOM's title, the signature under it
    const tree = (await runCli(['discover', image], GH)).stdout.split('\n')
    expect(tree[0]).toBe(`${image}  (referrers via ${reg.tagSchema ? 'tag-schema' : 'api'})`)
    expect(tree.find(l => l.includes(sbom.digest))).toMatch(/^[├└]── application\/spdx\+json {2}sha256:[0-9a-f]{64} {2}spdx-2\.3\.json {2}\(\d{4}-/)
    expect(tree.some(l => /^[│ ] {3}└── application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json/.test(l))).toBe(true)
  })

  test("discover of an index: the index's referrers under manifests, each platform with BuildKit's attestation under platforms", async () => {
    const reg = registry()
    const repo = 'readback/discover-index'
    const built = await pushBuildKitIndex(reg.host, repo, 'v1', 'legacy')
    const image = `${reg.host}/${repo}:v1`
    expect((await runCli(['attach', image, '--platforms', 'each'], GH)).code).toBe(0)
    const root = JSON.parse((await runCli(['discover', image, '--format', 'json'], GH)).stdout) as OrasNode & {
      platforms: Array<OrasNode & { platform: { architecture: string } }>
    }
    expect(each(root, 'artifactType')).toEqual(['application/vnd.oci-build-metadata.v1+json'])
    expect(root.platforms.map(p => [p.platform.architecture, p.digest])).toEqual(built.platforms.map(p => [p.platform!.architecture, p.digest]))
    for (const p of root.platforms) {
      expect(p.reference).toBe(`${reg.host}/${repo}@${p.digest}`)
      expect(each(p, 'digest')).toContain(built.attestations.get(p.digest)!.digest)
      expect(each(p, 'artifactType')).toContain('application/vnd.oci-build-metadata.v1+json')
    }
  })
})
