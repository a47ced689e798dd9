/**
 * Signed provenance and metadata, and a gate that checks who signed: against @sigstore/mock's
 * Fulcio, Rekor and TSA served over HTTP by the suite, with the runner's OIDC token endpoint, a
 * trusted root built from the mocks' keys, on distribution (tag schema) and on the referrers API.
 */
import { CIContextProvider, DSSEBundleBuilder, FulcioSigner, RekorWitness } from '@sigstore/sign'
import { bundleToJSON } from '@sigstore/bundle'
import { runAction, runCli } from '../../__fixtures__/action-runner.js'
import { pushAsAttest } from '../../__fixtures__/cosign.js'
import { pushTestImage, remote } from '../../__fixtures__/builders.js'
import { parseManifest, type ImageManifest } from '../../src/oci/types.js'
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

// public-good-shaped (SCT, Rekor) and GitHub-shaped (no SCT, TSA, no log) instances
let sig: SigstoreMock
let gh: SigstoreMock
beforeAll(async () => {
  sig = await startSigstoreMock('public-good')
  gh = await startSigstoreMock('github')
})
afterAll(async () => {
  await sig?.close()
  await gh?.close()
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

  test.each(['rekor', 'tsa'] as const)(
    "attach --sign --provenance (witness: %s; public-good's shape with Rekor, GitHub's with its TSA), then verify with the signer: exit 0; another signer: exit 1 naming both",
    async witness => {
      const reg = registry()
      const repo = `signed-${witness}/app`
      const img = await pushTestImage(reg.host, repo, 'v1')
      const image = `${reg.host}/${repo}@${img.digest}`
      const instance = witness === 'rekor' ? sig : gh
      const attach = await cli(['attach', image, '--provenance', '--sign', '--sigstore', instance.input(witness)], instance.tokenEnv(RELEASE))
      expect({ code: attach.code, stderr: attach.stderr }).toEqual({ code: 0, stderr: '' })
      expect(attach.report?.attachments?.map(a => `${a.label} ${a.artifactType}`).sort()).toEqual([
        `metadata ${ArtifactType.BuildMetadataV1}`,
        `signed metadata ${ArtifactType.SigstoreBundleV03}`,
        `signed provenance ${ArtifactType.SigstoreBundleV03}`
      ])

      const ok = await cli([
        'verify',
        image,
        '--require',
        'metadata,provenance',
        '--signer',
        'acme/widget/.github/workflows/release.yml@refs/tags/*',
        '--trusted-root',
        instance.trustedRootPath
      ])
      expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' })
      expect(ok.report?.gate?.map(g => [g.requirement, g.found, g.signedBy])).toEqual([
        ['metadata', true, 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3 (issuer https://token.actions.githubusercontent.com)'],
        ['provenance', true, 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3 (issuer https://token.actions.githubusercontent.com)']
      ])
      // the repository form of the signer
      expect((await cli(['verify', image, '--require', 'provenance', '--signer', 'acme/widget', '--trusted-root', instance.trustedRootPath])).code).toBe(0)

      const other = await cli([
        'verify',
        image,
        '--require',
        'metadata,provenance',
        '--signer',
        'acme/widget/.github/workflows/nightly.yml@refs/heads/main',
        '--trusted-root',
        instance.trustedRootPath
      ])
      expect(other.code).toBe(1)
      const lines = other.stderr.trim().split('\n')
      expect(lines).toHaveLength(2)
      for (const [i, req] of ['metadata', 'provenance'].entries()) {
        // the expected signer, then what was found: the bundle signed by someone else (and, for
        // metadata, the unsigned artifact next to it)
        expect(lines[i]).toMatch(
          new RegExp(
            `^error: ${req} is not signed by acme/widget/\\.github/workflows/nightly\\.yml@refs/heads/main \\(issuer ` +
              `https://token\\.actions\\.githubusercontent\\.com\\): `
          )
        )
        expect(lines[i]).toMatch(
          /referrer sha256:[0-9a-f]{64} \(application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json\) is signed by acme\/widget\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.3 \(issuer https:\/\/token\.actions\.githubusercontent\.com\)/
        )
      }
      expect(other.report?.missing).toEqual(['metadata', 'provenance'])
    }
  )

  test('a provenance attached unsigned does not pass a gate that requires a signer, and says it is unsigned', async () => {
    const reg = registry()
    const repo = 'unsigned/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    expect((await cli(['attach', image, '--provenance'])).code).toBe(0)
    const gate = await cli(['verify', image, '--require', 'provenance', '--signer', 'acme/widget', '--trusted-root', sig.trustedRootPath])
    expect(gate.code).toBe(1)
    expect(gate.stderr.trim()).toMatch(
      /^error: provenance is not signed by a workflow of acme\/widget \(issuer https:\/\/token\.actions\.githubusercontent\.com\): referrer sha256:[0-9a-f]{64} \(application\/vnd\.in-toto\+json\) is present but unsigned$/
    )
    // without a signer required, the unsigned provenance counts as before
    expect((await cli(['verify', image, '--require', 'provenance'])).code).toBe(0)
  })

  test('a tampered statement, and a bundle copied from another image, fail the gate, each saying why', async () => {
    const reg = registry()
    const repo = 'tampered/app'
    const a = await pushTestImage(reg.host, repo, 'a')
    const b = await pushTestImage(reg.host, repo, 'b')
    const attach = await cli(['attach', `${reg.host}/${repo}@${a.digest}`, '--provenance', '--sign', '--sigstore', sig.input('rekor')], sig.tokenEnv(RELEASE))
    expect(attach.code).toBe(0)
    const signedProvenance = attach.report!.attachments!.find(x => x.label === 'signed provenance')!
    const t = remote(`${reg.host}/${repo}:x`)
    const m = parseManifest((await t.fetchManifest(signedProvenance.digest)).bytes) as ImageManifest
    const original = await t.fetchBlob(m.layers[0]!)
    const bundle = JSON.parse(new TextDecoder().decode(original)) as { dsseEnvelope: { payload: string } }
    // a copy, unchanged, attached to image b: the signature verifies, but it names image a
    const copied = original
    // the same statement rewritten to name image b: the signature no longer verifies
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as { subject: Array<{ digest: Record<string, string> }> }
    statement.subject[0]!.digest.sha256 = b.digest.slice(7)
    const tampered = new TextEncoder().encode(
      JSON.stringify({ ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } })
    )
    const gateOn = async (bytes: Uint8Array) => {
      const target = await pushTestImage(reg.host, repo, `c-${bytes.length}-${Math.random().toString(36).slice(2, 8)}`)
      const image = `${reg.host}/${repo}@${target.digest}`
      // the bundle as actions/attest pushes it, onto this image
      await pushAsAttest(`${reg.host}/${repo}`, target.digest, bytes, 'https://slsa.dev/provenance/v1')
      return cli(['verify', image, '--require', 'provenance', '--signer', 'acme/widget', '--trusted-root', sig.trustedRootPath])
    }
    const onCopy = await gateOn(copied)
    expect(onCopy.code).toBe(1)
    expect(onCopy.stderr).toMatch(/its statement is signed for another image, not sha256:[0-9a-f]{64}/)
    const onTampered = await gateOn(tampered)
    expect(onTampered.code).toBe(1)
    expect(onTampered.stderr).toMatch(/its signature does not verify/)
  })

  test('a bundle made and pushed the way actions/attest does it is accepted by the gate', async () => {
    const reg = registry()
    const repo = 'attest/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: `${reg.host}/${repo}`, digest: { sha256: img.digest.slice(7) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1', externalParameters: {} },
        runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' } }
      }
    }
    // @actions/attest: CIContextProvider('sigstore') reads the runner's OIDC variables; FulcioSigner and
    // RekorWitness make a DSSE bundle; push-to-registry attaches it with @sigstore/oci
    const env = sig.tokenEnv(RELEASE)
    const saved = { ...process.env }
    Object.assign(process.env, env)
    let bundleJson: unknown
    try {
      const builder = new DSSEBundleBuilder({
        signer: new FulcioSigner({ identityProvider: new CIContextProvider('sigstore'), fulcioBaseURL: sig.url }),
        witnesses: [new RekorWitness({ rekorBaseURL: sig.url, fetchOnConflict: true })]
      })
      bundleJson = bundleToJSON(await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: 'application/vnd.in-toto+json' }))
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]
    }
    await pushAsAttest(`${reg.host}/${repo}`, img.digest, new TextEncoder().encode(JSON.stringify(bundleJson)), statement.predicateType)
    const gate = await cli([
      'verify',
      `${reg.host}/${repo}@${img.digest}`,
      '--require',
      'provenance',
      '--signer',
      'acme/widget/.github/workflows/release.yml@refs/tags/*',
      '--trusted-root',
      sig.trustedRootPath
    ])
    expect({ code: gate.code, stderr: gate.stderr }).toEqual({ code: 0, stderr: '' })
    expect(gate.report?.gate?.[0]?.signedBy).toMatch(/^acme\/widget\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.3/)
    // and another signer is refused, naming who did sign
    const other = await cli([
      'verify',
      `${reg.host}/${repo}@${img.digest}`,
      '--require',
      'provenance',
      '--signer',
      'acme/widget/.github/workflows/nightly.yml@refs/heads/main',
      '--trusted-root',
      sig.trustedRootPath
    ])
    expect(other.code).toBe(1)
    expect(other.stderr).toMatch(/is signed by acme\/widget\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.3/)
  })
})

describe('through the bundled action on distribution', () => {
  const registry = useRegistry(REGISTRIES[0]!.start)

  test('sign: true without permissions: id-token: write fails before anything is written, in one line', async () => {
    const reg = registry()
    const repo = 'no-id-token/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const r = await runAction({ image: `${reg.host}/${repo}@${img.digest}`, sign: 'true', provenance: 'true' })
    expect(r.code).toBe(2)
    expect(r.errors).toEqual([
      'sign: true needs the workflow\'s OIDC token: this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Add "permissions: id-token: write" to the job.'
    ])
    expect(await reg.referrers(repo, img.digest)).toEqual([])
  })

  test("sign: true with the runner's OIDC token: the signed bundles are listed next to the metadata, and the gate passes with the signer", async () => {
    const reg = registry()
    const repo = 'action-signed/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const before = gh.hits['/api/v2/signingCert'] ?? 0
    const tokenEnv = gh.tokenEnv(RELEASE)
    const r = await runAction(
      { image: `${reg.host}/${repo}@${img.digest}`, sign: 'true', provenance: 'true', sigstore: gh.input('tsa') },
      { ...tokenEnv, GITHUB_WORKFLOW_REF: RELEASE.workflowRef, RUNNER_DEBUG: '1' }
    )
    expect({ code: r.code, errors: r.errors }).toEqual({ code: 0, errors: [] })
    // neither the runner's request token nor the OIDC token it gives reach a log, an output or the summary
    const url = new URL(tokenEnv.ACTIONS_ID_TOKEN_REQUEST_URL!)
    url.searchParams.set('audience', 'sigstore')
    const oidc = ((await (await fetch(url, { headers: { authorization: `Bearer ${tokenEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } })).json()) as { value: string })
      .value
    // (`::add-mask::` lines are the runner's masking commands: consumed by the runner, never shown)
    const shown = r.stdout
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n')
    const everything = [shown, r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n')
    expect(r.stdout).toContain(`::add-mask::${oidc}`)
    expect(everything).toContain('::debug::')
    for (const secret of [tokenEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN!, oidc, oidc.split('.')[1]!]) expect(everything).not.toContain(secret)
    expect((gh.hits['/api/v2/signingCert'] ?? 0) - before).toBe(2)
    const listed = await reg.referrers(repo, img.digest)
    expect(listed.map(d => `${d.artifactType} ${d.annotations?.['dev.sigstore.bundle.predicateType'] ?? ''}`.trim()).sort()).toEqual(
      [
        ArtifactType.BuildMetadataV1,
        `${ArtifactType.SigstoreBundleV03} https://oci-build-metadata.dev/attestation/build-metadata/v1`,
        `${ArtifactType.SigstoreBundleV03} https://slsa.dev/provenance/v1`
      ].sort()
    )
    const gate = await runAction({
      image: `${reg.host}/${repo}@${img.digest}`,
      command: 'verify',
      require: 'metadata, provenance',
      signer: 'acme/widget',
      'trusted-root': gh.trustedRootPath
    })
    expect({ code: gate.code, errors: gate.errors }).toEqual({ code: 0, errors: [] })
    expect(gate.summary).toContain('signed by acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3')
  })
})
