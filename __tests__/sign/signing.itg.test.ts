/**
 * Signed provenance and metadata, and a gate that checks who signed: against @sigstore/mock's
 * Fulcio, Rekor and TSA served over HTTP by the suite, with the runner's OIDC token endpoint, a
 * trusted root built from the mocks' keys, on distribution (tag schema) and on the referrers API.
 */
import { runCli } from '../../__fixtures__/action-runner.js'
import { pushTestImage } from '../../__fixtures__/images.js'
import { startSigstoreMock, type SigstoreMock } from '../../__fixtures__/sigstore.js'
import { REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'
import { ArtifactType } from '../../src/oci/media-types.js'

const RELEASE = { repository: 'acme/widget', workflowRef: 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3', ref: 'refs/tags/v1.2.3' }
const GH = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/widget',
  GITHUB_WORKFLOW: 'release',
  GITHUB_WORKFLOW_REF: RELEASE.workflowRef,
  GITHUB_JOB: 'image',
  GITHUB_ACTION: '__run_2',
  GITHUB_RUN_ID: '777',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: '89abcdef0123456789abcdef0123456789abcdef',
  GITHUB_REF: 'refs/tags/v1.2.3',
  GITHUB_SERVER_URL: 'https://github.com'
}

let sig: SigstoreMock
beforeAll(async () => {
  sig = await startSigstoreMock()
})
afterAll(async () => {
  await sig?.close()
})

interface Report {
  verified: boolean
  missing: string[]
  gate?: Array<{ scope: string; requirement: string; found: boolean; by?: string; signedBy?: string; detail: string }>
  attachments?: Array<{ kind: string; label: string; digest: string; artifactType: string }>
}
async function cli(args: string[], env: Record<string, string> = {}) {
  const r = await runCli([...args, '--json'], { ...GH, ...env })
  let report: Report | undefined
  try {
    report = JSON.parse(r.stdout) as Report
  } catch {
    report = undefined
  }
  return { ...r, report }
}

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  test.each(['rekor', 'tsa'] as const)('attach --sign --provenance (witness: %s), then verify with the signer: exit 0; another signer: exit 1 naming both', async witness => {
    const reg = registry()
    const repo = `signed-${witness}/app`
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const attach = await cli(['attach', image, '--provenance', '--sign', '--sigstore', sig.input(witness)], sig.tokenEnv(RELEASE))
    expect({ code: attach.code, stderr: attach.stderr }).toEqual({ code: 0, stderr: '' })
    expect(attach.report?.attachments?.map(a => `${a.label} ${a.artifactType}`).sort()).toEqual([
      `metadata ${ArtifactType.BuildMetadataV1}`,
      `signed metadata ${ArtifactType.SigstoreBundleV03}`,
      `signed provenance ${ArtifactType.SigstoreBundleV03}`
    ])

    const ok = await cli(['verify', image, '--require', 'metadata,provenance', '--signer', 'acme/widget/.github/workflows/release.yml@refs/tags/*', '--trusted-root', sig.trustedRootPath])
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' })
    expect(ok.report?.gate?.map(g => [g.requirement, g.found, g.signedBy])).toEqual([
      ['metadata', true, 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3 (issuer https://token.actions.githubusercontent.com)'],
      ['provenance', true, 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3 (issuer https://token.actions.githubusercontent.com)']
    ])
    // the repository form of the signer
    expect((await cli(['verify', image, '--require', 'provenance', '--signer', 'acme/widget', '--trusted-root', sig.trustedRootPath])).code).toBe(0)

    const other = await cli(['verify', image, '--require', 'metadata,provenance', '--signer', 'acme/widget/.github/workflows/nightly.yml@refs/heads/main', '--trusted-root', sig.trustedRootPath])
    expect(other.code).toBe(1)
    const lines = other.stderr.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const [i, req] of ['metadata', 'provenance'].entries()) {
      // the expected signer, then what was found: the bundle signed by someone else (and, for
      // metadata, the unsigned artifact next to it)
      expect(lines[i]).toMatch(new RegExp(`^error: ${req} is not signed by acme/widget/\\.github/workflows/nightly\\.yml@refs/heads/main \\(issuer https://token\\.actions\\.githubusercontent\\.com\\): `))
      expect(lines[i]).toMatch(/referrer sha256:[0-9a-f]{64} \(application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json\) is signed by acme\/widget\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.3 \(issuer https:\/\/token\.actions\.githubusercontent\.com\)/)
    }
    expect(other.report?.missing).toEqual(['metadata', 'provenance'])
  })
})
