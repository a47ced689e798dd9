/**
 * What the signed gate trusts, against what the world really pushes:
 * - GitHub's Sigstore instance (every private repository): certificates WITHOUT an SCT, an RFC 3161
 *   timestamp from its TSA, no transparency log; its trusted root has no CT logs and no tlogs, and
 *   `gh attestation trusted-root` prints it as a second JSON line after public-good's;
 * - cosign v3: `cosign sign` writes a Sigstore bundle whose statement has predicate
 *   https://sigstore.dev/cosign/sign/v1 over the digest (no subject name), pushed as a referrer with an
 *   empty config and, on the tag schema, an index entry without annotations;
 * - the bundle annotations are optional (cosign's bundle spec: clients MAY add them), and anyone with
 *   push access can write them, so they may be absent or lie.
 * Through the bundled CLI, on distribution (tag schema) and on the referrers API.
 */
import { X509Certificate } from '@sigstore/core'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../__fixtures__/action-runner.js'
import { COSIGN_SIGN_PREDICATE, cosignSignStatement, pushAsAttest, pushCosignReferrer, signStatement, statementFor } from '../../__fixtures__/cosign.js'
import { pushTestImage, remote } from '../../__fixtures__/builders.js'
import { MediaType } from '../../src/oci/media-types.js'
import { parseManifest, type ImageManifest } from '../../src/oci/types.js'
import { startSigstoreMock, type SigstoreMock } from '../../__fixtures__/sigstore.js'
import { REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'

const RELEASE = { repository: 'acme/widget', workflowRef: 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3', ref: 'refs/tags/v1.2.3' }
const SIGNER = 'acme/widget/.github/workflows/release.yml@refs/tags/*'
const OTHER = 'acme/widget/.github/workflows/nightly.yml@refs/heads/main'
const SLSA = 'https://slsa.dev/provenance/v1'
const TEST_RESULT = 'https://in-toto.io/attestation/test-result/v0.1'

let pg: SigstoreMock
let gh: SigstoreMock
/** what `gh attestation trusted-root` prints: one root a line, public-good's then GitHub's */
let jsonLines: string
beforeAll(async () => {
  pg = await startSigstoreMock('public-good')
  gh = await startSigstoreMock('github')
  jsonLines = join(await mkdtemp(join(tmpdir(), 'obm-roots-')), 'trusted_root.jsonl')
  await writeFile(jsonLines, `${JSON.stringify(pg.trustedRoot)}\n${JSON.stringify(gh.trustedRoot)}\n`)
})
afterAll(async () => {
  await pg?.close()
  await gh?.close()
})

interface Row {
  requirement: string
  found: boolean
  by?: string
  evidence?: string
  signature?: string
  signedBy?: string
  detail: string
}
async function verify(image: string, args: string[]) {
  const r = await runCli(['verify', image, ...args, '--json'])
  let gate: Row[] = []
  try {
    gate = (JSON.parse(r.stdout) as { gate?: Row[] }).gate ?? []
  } catch {
    gate = []
  }
  return { ...r, gate, errors: r.stderr.trim() ? r.stderr.trim().split('\n') : [] }
}

const leafOf = (bundle: Uint8Array) => {
  const b = JSON.parse(new TextDecoder().decode(bundle)) as {
    verificationMaterial: { certificate: { rawBytes: string }; tlogEntries?: unknown[]; timestampVerificationData?: { rfc3161Timestamps?: unknown[] } }
  }
  return { cert: X509Certificate.parse(Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64')), vm: b.verificationMaterial }
}

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  test("GitHub's instance: a bundle without SCT, with a TSA timestamp and no log, passes with GitHub's root and with both roots as JSON Lines; public-good's root alone refuses it in one line", async () => {
    const reg = registry()
    const repo = 'private-repo/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const bundle = await signStatement(gh, RELEASE, statementFor(`${reg.host}/${repo}`, img.digest, SLSA))
    // the shape GitHub's instance issues (__fixtures__/sigstore-github/github-instance-leaf.der): no SCT extension, no log entry, one signed timestamp
    const { cert, vm } = leafOf(bundle)
    expect([cert.extSCT, vm.tlogEntries?.length ?? 0, vm.timestampVerificationData?.rfc3161Timestamps?.length]).toEqual([undefined, 0, 1])
    await pushAsAttest(`${reg.host}/${repo}`, img.digest, bundle, SLSA)

    for (const root of [gh.trustedRootPath, jsonLines]) {
      const ok = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', root])
      expect({ code: ok.code, errors: ok.errors }).toEqual({ code: 0, errors: [] })
      expect(ok.gate[0]?.signedBy).toBe('acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3 (issuer https://token.actions.githubusercontent.com)')
      const other = await verify(image, ['--require', 'provenance', '--signer', OTHER, '--trusted-root', root])
      expect(other.code).toBe(1)
      expect(other.errors).toHaveLength(1)
      expect(other.errors[0]).toContain('is signed by acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3')
    }
    const wrongRoot = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect(wrongRoot.code).toBe(1)
    expect(wrongRoot.errors).toHaveLength(1)
    expect(wrongRoot.errors[0]).toMatch(
      /^error: provenance is not signed by .*: referrer sha256:[0-9a-f]{64} \(application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json\): its certificate was issued by "CN=sigstore, O=sigstore\.mock", a CA that the trusted root does not hold .*gh attestation trusted-root/
    )
  })

  test('JSON Lines with both roots: a public-good bundle and a GitHub bundle each verify against their own root; a public-good bundle without a log entry is refused in one line', async () => {
    const reg = registry()
    const repo = 'both-roots/app'
    const a = await pushTestImage(reg.host, repo, 'a')
    const b = await pushTestImage(reg.host, repo, 'b')
    const c = await pushTestImage(reg.host, repo, 'c')
    await pushAsAttest(`${reg.host}/${repo}`, a.digest, await signStatement(pg, RELEASE, statementFor(repo, a.digest, SLSA)), SLSA)
    await pushAsAttest(`${reg.host}/${repo}`, b.digest, await signStatement(gh, RELEASE, statementFor(repo, b.digest, SLSA)), SLSA)
    // public-good's Fulcio (with an SCT), but only a TSA timestamp: no transparency-log entry
    const noLog = await signStatement(pg, RELEASE, statementFor(repo, c.digest, SLSA), 'tsa')
    expect(leafOf(noLog).vm.tlogEntries ?? []).toEqual([])
    await pushAsAttest(`${reg.host}/${repo}`, c.digest, noLog, SLSA)
    for (const d of [a, b]) {
      const ok = await verify(`${reg.host}/${repo}@${d.digest}`, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', jsonLines])
      expect({ code: ok.code, errors: ok.errors }).toEqual({ code: 0, errors: [] })
    }
    const refused = await verify(`${reg.host}/${repo}@${c.digest}`, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', jsonLines])
    expect(refused.code).toBe(1)
    expect(refused.errors).toHaveLength(1)
    expect(refused.errors[0]).toMatch(/: it has no transparency-log entry, which bundles certified by http:\/\/127\.0\.0\.1:\d+ need$/)
  })

  test('a signed statement that is not provenance, annotated as provenance, fails naming its real predicate type; signed provenance without annotations passes', async () => {
    const reg = registry()
    const repo = 'lying-annotation/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const name = `${reg.host}/${repo}`
    // signed by the release workflow, but a cosign signature and a failed test run: not provenance
    const signature = await signStatement(pg, RELEASE, cosignSignStatement(img.digest))
    const failedTests = await signStatement(pg, RELEASE, statementFor(name, img.digest, TEST_RESULT, { result: 'FAILED' }))
    const lie = { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': SLSA }
    await pushCosignReferrer(reg, repo, img, signature, COSIGN_SIGN_PREDICATE, { annotations: lie })
    await pushCosignReferrer(reg, repo, img, failedTests, TEST_RESULT, { annotations: lie })

    const fooled = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect(fooled.code).toBe(1)
    expect(fooled.errors).toHaveLength(1)
    expect(fooled.errors[0]).toContain(`its signed statement is ${COSIGN_SIGN_PREDICATE}, not provenance (its annotation says ${SLSA})`)
    expect(fooled.errors[0]).toContain(`its signed statement is ${TEST_RESULT}, not provenance (its annotation says ${SLSA})`)

    // real provenance, signed, pushed with no annotations at all (the bundle spec's clients MAY add them)
    const provenance = await signStatement(pg, RELEASE, statementFor(name, img.digest, SLSA))
    const plain = await pushCosignReferrer(reg, repo, img, provenance, SLSA, { annotations: false })
    const ok = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect({ code: ok.code, errors: ok.errors }).toEqual({ code: 0, errors: [] })
    expect(ok.gate[0]?.evidence).toBe(plain.digest)
    // a presence gate reads the unannotated bundle's statement too
    const presence = await verify(image, ['--require', 'provenance'])
    expect(presence.code).toBe(0)
  })

  test("--require signature: cosign v3's signature by the signer passes, by another fails; keywords in any case; without a signer it is presence, saying the signature was not checked", async () => {
    const reg = registry()
    const repo = 'cosign-signed/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const missing = await verify(image, ['--require', 'signature', '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect(missing.code).toBe(1)
    expect(missing.errors[0]).toMatch(/^error: signature is missing: nothing of that kind on the image, signed or not/)

    const sig = await pushCosignReferrer(reg, repo, img, await signStatement(pg, RELEASE, cosignSignStatement(img.digest)), COSIGN_SIGN_PREDICATE)
    const ok = await verify(image, ['--require', 'SIGNATURE', '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect({ code: ok.code, errors: ok.errors }).toEqual({ code: 0, errors: [] })
    expect(ok.gate[0]).toMatchObject({ requirement: 'signature', found: true, evidence: sig.digest })
    const other = await verify(image, ['--require', 'signature', '--signer', OTHER, '--trusted-root', pg.trustedRootPath])
    expect(other.code).toBe(1)
    expect(other.errors[0]).toMatch(
      /^error: signature is not signed by acme\/widget\/\.github\/workflows\/nightly\.yml@refs\/heads\/main .* is signed by acme\/widget/
    )
    const presence = await verify(image, ['--require', 'signature'])
    expect(presence.code).toBe(0)
    expect(presence.gate[0]?.signature).toBe('signed, signature not checked (no signer or trusted-root given)')
    // with a trusted root but no signer, the row says who signed
    const named = await verify(image, ['--require', 'signature', '--trusted-root', pg.trustedRootPath])
    expect(named.gate[0]?.signature).toMatch(/^signed by acme\/widget\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.3/)
  })

  test('--require <predicate type URI> counts unsigned statements and, with a signer, only signed ones', async () => {
    const reg = registry()
    const repo = 'predicate/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    expect((await runCli(['attach', image, '--provenance'])).code).toBe(0)
    const unsigned = await verify(image, ['--require', SLSA])
    expect({ code: unsigned.code, errors: unsigned.errors }).toEqual({ code: 0, errors: [] })
    expect(unsigned.gate[0]).toMatchObject({ requirement: SLSA, found: true, signature: 'unsigned' })
    expect((await verify(image, ['--require', 'https://slsa.dev/provenance/v0.2'])).code).toBe(1)
    const needsSigned = await verify(image, ['--require', SLSA, '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect(needsSigned.code).toBe(1)
    expect(needsSigned.errors[0]).toMatch(/application\/vnd\.in-toto\+json\) is present but unsigned/)
    await pushAsAttest(`${reg.host}/${repo}`, img.digest, await signStatement(pg, RELEASE, statementFor(repo, img.digest, SLSA)), SLSA)
    const signed = await verify(image, ['--require', SLSA, '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect({ code: signed.code, errors: signed.errors }).toEqual({ code: 0, errors: [] })
  })

  test('bad input: an unreadable trusted root is exit 2; a bundle that is not JSON, exit 1 in one line naming the referrer', async () => {
    const reg = registry()
    const repo = 'bad-bundle/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const missingRoot = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', '/nonexistent/trusted_root.json'])
    expect(missingRoot.code).toBe(2)
    expect(missingRoot.errors).toEqual([expect.stringMatching(/^error: trusted-root \/nonexistent\/trusted_root\.json cannot be read \(ENOENT\)\. /)])
    const dir = await mkdtemp(join(tmpdir(), 'obm-roots-'))
    await writeFile(join(dir, 'roots.jsonl'), `${JSON.stringify(pg.trustedRoot)}\n{"mediaType": \n`)
    const badLine = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', join(dir, 'roots.jsonl')])
    expect(badLine.code).toBe(2)
    expect(badLine.errors).toEqual([expect.stringMatching(/^error: trusted-root .*roots\.jsonl: line 2 is not JSON/)])

    const junk = await pushCosignReferrer(reg, repo, img, new TextEncoder().encode('this is not a bundle'), SLSA)
    const r = await verify(image, ['--require', 'provenance', '--signer', SIGNER, '--trusted-root', pg.trustedRootPath])
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain(`referrer ${junk.digest} (application/vnd.dev.sigstore.bundle.v0.3+json): not a valid Sigstore bundle`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('provenance on GitHub Actions, as actions/attest writes it (through the bundled CLI, on distribution)', () => {
  const registry = useRegistry(REGISTRIES[0]!.start)
  const GH_ENV = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_WORKFLOW: 'release',
    GITHUB_WORKFLOW_REF: RELEASE.workflowRef,
    GITHUB_JOB: 'image',
    GITHUB_ACTION: '__run',
    GITHUB_RUN_ID: '777',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: '89abcdef0123456789abcdef0123456789abcdef',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_ENVIRONMENT: 'github-hosted'
  }
  /** the caller triggers release.yml, whose job runs a reusable workflow of another repository */
  const REUSABLE = { ...RELEASE, jobWorkflowRef: 'acme/shared/.github/workflows/build.yml@refs/heads/main' }

  async function provenanceOf(host: string, repo: string, digest: string, signed: boolean) {
    const t = remote(`${host}/${repo}:x`)
    const listed = await (await fetch(`http://${host}/v2/${repo}/manifests/${digest.replace(':', '-')}`, { headers: { accept: MediaType.ImageIndex } })).json()
    const wanted = (listed as { manifests: Array<{ digest: string; artifactType?: string; annotations?: Record<string, string> }> }).manifests.find(m =>
      signed ? m.annotations?.['dev.sigstore.bundle.predicateType'] === SLSA : m.artifactType === 'application/vnd.in-toto+json'
    )
    const m = parseManifest((await t.fetchManifest(wanted!.digest)).bytes) as ImageManifest
    const bytes = new TextDecoder().decode(await t.fetchBlob(m.layers[0]!))
    const statement = signed
      ? JSON.parse(Buffer.from((JSON.parse(bytes) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString())
      : JSON.parse(bytes)
    return statement as {
      predicate: {
        buildDefinition: { buildType: string; externalParameters: unknown }
        runDetails: { builder: { id: string }; metadata: Record<string, string> }
      }
    }
  }

  test("signed, from a reusable workflow: GitHub's build type, the job's workflow as builder, no build times", async () => {
    const reg = registry()
    const repo = 'reusable/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const r = await runCli(['attach', `${reg.host}/${repo}@${img.digest}`, '--provenance', '--sign', '--sigstore', gh.input('tsa')], {
      ...GH_ENV,
      ...gh.tokenEnv(REUSABLE)
    })
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
    const st = await provenanceOf(reg.host, repo, img.digest, true)
    expect(st.predicate.buildDefinition.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1')
    expect(st.predicate.runDetails.builder.id).toBe('https://github.com/acme/shared/.github/workflows/build.yml@refs/heads/main')
    expect(st.predicate.buildDefinition.externalParameters).toEqual({
      workflow: { ref: 'refs/tags/v1.2.3', repository: 'https://github.com/acme/widget', path: '.github/workflows/release.yml' }
    })
    expect(st.predicate.runDetails.metadata).toEqual({ invocationId: 'https://github.com/acme/widget/actions/runs/777/attempts/1' })
    // the gate keys on the certificate, which names the reusable workflow too
    const gate = await verify(`${reg.host}/${repo}@${img.digest}`, [
      '--require',
      'provenance',
      '--signer',
      'acme/shared/.github/workflows/build.yml@*',
      '--trusted-root',
      gh.trustedRootPath
    ])
    expect({ code: gate.code, errors: gate.errors }).toEqual({ code: 0, errors: [] })
  })

  test("unsigned: with the job's OIDC token the builder is the job's workflow; without one, the caller's, and the log says so", async () => {
    const reg = registry()
    const repo = 'unsigned-gh/app'
    const a = await pushTestImage(reg.host, repo, 'a')
    const b = await pushTestImage(reg.host, repo, 'b')
    expect((await runCli(['attach', `${reg.host}/${repo}@${a.digest}`, '--provenance'], { ...GH_ENV, ...gh.tokenEnv(REUSABLE) })).code).toBe(0)
    expect((await provenanceOf(reg.host, repo, a.digest, false)).predicate.runDetails.builder.id).toBe(
      'https://github.com/acme/shared/.github/workflows/build.yml@refs/heads/main'
    )
    const noToken = await runCli(['attach', `${reg.host}/${repo}@${b.digest}`, '--provenance', '--verbose'], GH_ENV)
    expect(noToken.code).toBe(0)
    expect(noToken.stderr).toContain('provenance: runDetails.builder.id is the calling workflow (GITHUB_WORKFLOW_REF)')
    expect((await provenanceOf(reg.host, repo, b.digest, false)).predicate.runDetails.builder.id).toBe(`https://github.com/${RELEASE.workflowRef}`)
  })
})
