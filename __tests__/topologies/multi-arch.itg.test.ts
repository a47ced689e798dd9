/**
 * Multi-platform images as docker/build-push-action pushes them: a two-platform index, without
 * BuildKit attestations, with them in the legacy form (`unknown/unknown` entries naming their
 * platform in `vnd.docker.reference.digest`) and in the OCI-artifact form (`subject` = the platform
 * manifest, no fallback tag). Through the bundled CLI: what `attach --platforms each` writes is
 * exactly what `verify --platforms each` accepts, on distribution and on the referrers API; the gate
 * names the platform and the requirement when one is missing; BuildKit's manifests are never
 * attached to; `discover` shows the index, each platform and the referrers of each.
 */
import { join } from 'node:path'
import { runCli } from '../../__fixtures__/action-runner.js'
import { remote } from '../../__fixtures__/builders.js'
import { pushBuildKitIndex, REGISTRIES, type AttestationForm, useRegistry, releaseJobEnv } from '../../__fixtures__/topology.js'

const SBOM = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')
const GH = releaseJobEnv('89abcdef0123456789abcdef0123456789abcdef')

interface Report {
  verified: boolean
  missing: string[]
  gate?: Array<{ scope: string; requirement: string; found: boolean; by?: string; detail: string }>
  attachments?: Array<{ kind: string; label: string; digest: string }>
}

async function cli(args: string[]): Promise<{ code: number; report: Report; stderr: string; stdout: string }> {
  const r = await runCli([...args, '--json'], GH)
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr, stdout: r.stdout }
}

const rows = (r: Report) => (r.gate ?? []).map(g => `${g.scope} ${g.requirement} ${g.found ? 'ok' : 'MISSING'}`)

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  describe.each<AttestationForm>(['none', 'legacy', 'oci'])('BuildKit attestations: %s', form => {
    test('attach --platforms each with an SBOM and provenance, then verify --platforms each --require metadata,sbom,provenance: exit 0', async () => {
      const reg = registry()
      const repo = `multi-${form}/app`
      const built = await pushBuildKitIndex(reg.host, repo, 'v1', form)
      const image = `${reg.host}/${repo}:v1`
      const attach = await cli(['attach', image, '--platforms', 'each', '--sbom', SBOM, '--provenance'])
      expect({ code: attach.code, stderr: attach.stderr }).toEqual({ code: 0, stderr: '' })
      expect(attach.report.missing).toEqual([])
      // metadata on the index and on each platform; the SBOM and provenance once, on the index
      expect(attach.report.attachments?.map(a => a.kind).sort()).toEqual(['metadata', 'metadata', 'metadata', 'provenance', 'sbom'])

      const gate = await cli(['verify', image, '--platforms', 'each', '--require', 'metadata,sbom,provenance'])
      expect({ code: gate.code, stderr: gate.stderr }).toEqual({ code: 0, stderr: '' })
      expect(rows(gate.report)).toEqual([
        'linux/amd64 metadata ok',
        'linux/amd64 sbom ok',
        'linux/amd64 provenance ok',
        'linux/arm64 metadata ok',
        'linux/arm64 sbom ok',
        'linux/arm64 provenance ok'
      ])
      expect(gate.report.missing).toEqual([])
      // each platform's metadata is its own; without BuildKit's attestations, its SBOM and provenance are the index's
      const by = (scope: string, req: string) => gate.report.gate?.find(g => g.scope === scope && g.requirement === req)?.by ?? ''
      expect(by('linux/arm64', 'metadata')).toMatch(/^referrer sha256:/)
      if (form === 'none') expect(by('linux/arm64', 'provenance')).toMatch(/^referrer of the index sha256:/)

      // BuildKit's attestation manifests are evidence, never subjects: nothing was attached to them
      for (const a of built.attestations.values()) expect(await reg.referrers(repo, a.digest)).toEqual([])
    })
  })

  test.each<AttestationForm>(['legacy', 'oci'])(
    'BuildKit %s attestations count per platform: a platform without them fails the gate, naming it',
    async form => {
      const reg = registry()
      const repo = `partial-${form}/app`
      const built = await pushBuildKitIndex(reg.host, repo, 'v1', form, { skip: 'arm64' })
      const image = `${reg.host}/${repo}:v1`
      const attach = await cli(['attach', image, '--platforms', 'each'])
      expect(attach.code).toBe(0)
      const gate = await cli(['verify', image, '--platforms', 'each', '--require', 'metadata,sbom,provenance'])
      expect(gate.code).toBe(1)
      expect(rows(gate.report)).toEqual([
        'linux/amd64 metadata ok',
        'linux/amd64 sbom ok',
        'linux/amd64 provenance ok',
        'linux/arm64 metadata ok',
        'linux/arm64 sbom MISSING',
        'linux/arm64 provenance MISSING'
      ])
      expect(gate.report.missing).toEqual(['sbom@linux/arm64', 'provenance@linux/arm64'])
      expect(gate.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: linux\/arm64: SBOM is missing/),
        expect.stringMatching(/^error: linux\/arm64: provenance is missing/)
      ])
      // amd64's provenance is BuildKit's attestation for it (a registry with the referrers API also
      // lists the OCI form as a referrer of the platform, since it has a subject)
      expect(gate.report.gate?.find(g => g.scope === 'linux/amd64' && g.requirement === 'provenance')?.by).toMatch(
        new RegExp(
          `^(attestation in the index|referrer) ${built.attestations.get(built.platforms[0]!.digest)!.digest} ` +
            `\\(application/vnd\\.docker\\.attestation\\.manifest\\.v1\\+json\\)$`
        )
      )
    }
  )

  test("discover shows the index, each platform, BuildKit's attestation for it and the referrers of each", async () => {
    const reg = registry()
    const repo = 'discover/app'
    const built = await pushBuildKitIndex(reg.host, repo, 'v1', 'oci')
    const image = `${reg.host}/${repo}:v1`
    expect((await cli(['attach', image, '--platforms', 'each', '--sbom', SBOM])).code).toBe(0)
    const r = await runCli(['discover', image], GH)
    expect(r.code).toBe(0)
    const all = r.stdout.trim().split('\n')
    const top = all.indexOf(`${image}@${built.index.digest}  (referrers via ${reg.tagSchema ? 'tag-schema' : 'api'})`)
    // the root line is the first line now, as in oras discover (it used to follow image: and subject: lines that repeated it)
    expect(top).toBe(0)
    const lines = all.slice(top + 1)
    const tree = lines.join('\n')
    for (const p of built.platforms) {
      expect(tree).toContain(`platform ${p.platform!.os}/${p.platform!.architecture}  ${p.digest}`)
      expect(tree).toContain(`BuildKit attestation (in the index)  ${built.attestations.get(p.digest)!.digest}`)
    }
    // the index's own referrers (metadata and the SBOM) at the top level, each platform's metadata under it
    expect(lines.filter(l => /^[├└]── application\/(vnd\.oci-build-metadata\.v1\+json|spdx\+json)/.test(l))).toHaveLength(2)
    expect(lines.filter(l => /^│?\s+[├└]── application\/vnd\.oci-build-metadata\.v1\+json/.test(l))).toHaveLength(2)
  })

  test("BuildKit's OCI-form attestations become discoverable by referrers of each platform, next to ours", async () => {
    const reg = registry()
    const repo = 'discoverable/app'
    const built = await pushBuildKitIndex(reg.host, repo, 'v1', 'oci')
    const image = `${reg.host}/${repo}:v1`
    const attach = await cli(['attach', image, '--platforms', 'each'])
    expect(attach.code).toBe(0)
    for (const p of built.platforms) {
      const listed = await reg.referrers(repo, p.digest)
      const att = built.attestations.get(p.digest)!
      // listed by the registry's API, or, on distribution, in the platform's sha256-<hex> index by attach
      expect(listed.find(d => d.digest === att.digest)).toMatchObject({ artifactType: 'application/vnd.docker.attestation.manifest.v1+json' })
      expect(listed.some(d => d.artifactType === 'application/vnd.oci-build-metadata.v1+json')).toBe(true)
      // a consumer holding only the platform digest (cosign, Kyverno, our gate) finds the provenance
      const gate = await cli(['verify', `${reg.host}/${repo}@${p.digest}`, '--require', 'provenance,sbom'])
      expect({ code: gate.code, stderr: gate.stderr }).toEqual({ code: 0, stderr: '' })
      expect(gate.report.gate?.map(g => g.by)).toEqual([expect.stringMatching(/^referrer /), expect.stringMatching(/^referrer /)])
    }
    // the image index itself was not rewritten: the tag still names the digest BuildKit pushed
    expect((await remote(image).fetchManifest('v1')).descriptor.digest).toBe(built.index.digest)
    expect(attach.report.missing).toEqual([])
  })
})
