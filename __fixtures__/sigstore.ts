/**
 * A Sigstore instance for tests, over real HTTP on 127.0.0.1: @sigstore/mock's Fulcio, Rekor and
 * timestamp authority (ephemeral keys, no network), an OIDC token endpoint served as the GitHub
 * runner serves it (`ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN`, `?audience=`), and a trusted root
 * built from the mocks' keys, written to a file as `trusted-root` takes it.
 *
 * Two shapes, as the world has them:
 * - `public-good`: Fulcio embeds an SCT from its CT log in every certificate; the trusted root lists
 *   the CT log, the Rekor log and a TSA (as Sigstore's TUF root does since 2025);
 * - `github`: GitHub's own instance (private and internal repositories): certificates WITHOUT an SCT,
 *   an RFC 3161 timestamp from its TSA, no transparency log; its trusted root lists the CA and the
 *   TSA only (no CT logs, no tlogs), as `gh attestation trusted-root` prints it. The certificate
 *   in __fixtures__/sigstore-github/github-instance-leaf.der is a real one of this kind.
 * Both mocks name their CA `CN=sigstore,O=sigstore.mock`: a verifier that picks the root by name
 * rather than by signature picks the wrong one.
 */
import { createHash, generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, initializeTSA, rekorHandler, tsaHandler, type HandlerFn } from '@sigstore/mock'
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

/** The claims of a GitHub Actions OIDC token for one workflow run (what Fulcio turns into the certificate). */
export interface WorkflowClaims {
  repository: string
  /** `<owner>/<repo>/.github/workflows/<file>@<ref>`: the workflow that was triggered */
  workflowRef: string
  /** the workflow that ran the job, when it is a reusable one (GitHub's `job_workflow_ref`); Fulcio names it in the SAN */
  jobWorkflowRef?: string
  sha?: string
  ref?: string
  eventName?: string
}

export type InstanceShape = 'public-good' | 'github'

export interface SigstoreMock {
  shape: InstanceShape
  /** http://127.0.0.1:PORT: Fulcio, Rekor and the TSA share it (their paths differ) */
  url: string
  /** the `sigstore` input for this instance: public-good-like (Fulcio + Rekor) or GitHub-like (Fulcio + TSA) */
  input(kind: 'rekor' | 'tsa'): string
  /** a trusted_root.json holding the mocks' CA, logs and TSA (public-good), or the CA and TSA (github) */
  trustedRootPath: string
  /** the same trusted root, as JSON */
  trustedRoot: unknown
  /** an identity token for a job of this workflow, as the runner's endpoint gives it (audience sigstore) */
  idToken(claims: WorkflowClaims): string
  /** the runner's OIDC variables for a job of this workflow */
  tokenEnv(claims: WorkflowClaims): Record<string, string>
  /** requests received, by path */
  hits: Record<string, number>
  close(): Promise<void>
}

/** An unsigned JWT (Fulcio's mock reads the claims without verifying a signature). */
function jwt(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`
}

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })

export async function startSigstoreMock(shape: InstanceShape = 'public-good'): Promise<SigstoreMock> {
  const server: Server = createServer()
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const url = `http://127.0.0.1:${port}`

  const notBefore = new Date(Date.now() - 3600_000)
  // one instant for every certificate, SCT, log entry and timestamp, in whole seconds: asn1js writes a
  // GeneralizedTime's fraction without trailing zeros (as DER asks) and @sigstore/core reads only
  // three digits, so a timestamp at .120 s would not parse. It lies two seconds ahead, so that the
  // mocks' own certificates (made now, and rounded to the second) are already valid at it.
  const clock = new Date((Math.ceil(Date.now() / 1000) + 2) * 1000)
  const ctlog = await initializeCTLog(keyPair(), clock)
  // GitHub's Fulcio logs no certificate to CT: its certificates carry no SCT
  const ca = await initializeCA(keyPair(), shape === 'public-good' ? ctlog : undefined, clock)
  const tlog = await initializeTLog(url, keyPair(), clock)
  const tsa = await initializeTSA(keyPair(), clock)
  // the SAN is the workflow URL, as real Fulcio makes it from a GitHub token's job_workflow_ref
  const handlers: Record<string, HandlerFn> = {}
  for (const h of [fulcioHandler(ca, { subjectClaim: 'workflow_uri' }), rekorHandler(tlog), tsaHandler(tsa)]) handlers[h.path] = h.fn
  // Rekor stores a proposed `dsse` entry as its canonical body (signatures and hashes, no envelope);
  // the mock's handler logs what it is given verbatim, so the entry is canonicalized first, as Rekor does
  // https://github.com/sigstore/rekor/blob/main/pkg/types/dsse/v0.0.1/entry.go
  const mockRekor = handlers['/api/v1/log/entries']!
  handlers['/api/v1/log/entries'] = async body => {
    const proposed = JSON.parse(body) as { kind?: string; apiVersion?: string; spec?: { proposedContent?: { envelope: string; verifiers: string[] } } }
    if (proposed.kind !== 'dsse' || !proposed.spec?.proposedContent) return mockRekor(body)
    const { envelope, verifiers } = proposed.spec.proposedContent
    const env = JSON.parse(envelope) as { payload: string; signatures: Array<{ sig: string }> }
    const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')
    const entry = await tlog.log({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256(envelope) },
        payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(env.payload, 'base64')) },
        signatures: env.signatures.map((x, i) => ({ signature: x.sig, verifier: verifiers[i] ?? verifiers[0] }))
      }
    })
    return { statusCode: 201, response: JSON.stringify(entry), contentType: 'application/json' }
  }

  // the claims a GitHub Actions token carries (those Fulcio and actions/attest read)
  const claimsOf = (c: WorkflowClaims): Record<string, unknown> => ({
    iss: GITHUB_ISSUER,
    sub: `repo:${c.repository}:ref:${c.ref ?? 'refs/heads/main'}`,
    workflow_uri: `https://github.com/${c.jobWorkflowRef ?? c.workflowRef}`,
    workflow_ref: c.workflowRef,
    job_workflow_ref: c.jobWorkflowRef ?? c.workflowRef,
    repository: c.repository,
    repository_id: '4242',
    repository_owner_id: '99',
    sha: c.sha ?? '89abcdef0123456789abcdef0123456789abcdef',
    ref: c.ref ?? 'refs/heads/main',
    event_name: c.eventName ?? 'push',
    run_id: '777',
    run_attempt: '1',
    runner_environment: 'github-hosted'
  })
  const tokens = new Map<string, Record<string, unknown>>()
  const hits: Record<string, number> = {}
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', url).pathname
    hits[path] = (hits[path] ?? 0) + 1
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c as Buffer))
    req.on('end', () => {
      void (async () => {
        if (path === '/oidc/token') {
          const claims = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''))
          const audience = new URL(req.url ?? '/', url).searchParams.get('audience')
          if (!claims) return void res.writeHead(401).end('{"message":"bad request token"}')
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: jwt({ ...claims, aud: audience ?? 'none' }) }))
          return
        }
        const fn = handlers[path]
        if (!fn || req.method !== 'POST') return void res.writeHead(404).end('not found')
        const out = await fn(Buffer.concat(chunks).toString('utf8'))
        res.writeHead(out.statusCode, { 'content-type': out.contentType ?? 'application/json' }).end(out.response)
      })().catch(e => res.writeHead(500).end(String(e)))
    })
  })

  const validFor = { start: notBefore }
  const root = TrustedRoot.toJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs:
      shape === 'github'
        ? []
        : [
            {
              baseUrl: url,
              hashAlgorithm: HashAlgorithm.SHA2_256,
              publicKey: { rawBytes: tlog.publicKey, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor },
              logId: { keyId: createHash('sha256').update(tlog.publicKey).digest() }
            }
          ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: ca.rootCertificate }] },
        validFor
      }
    ],
    ctlogs:
      shape === 'github'
        ? []
        : [
            {
              baseUrl: url,
              hashAlgorithm: HashAlgorithm.SHA2_256,
              publicKey: { rawBytes: ctlog.publicKey, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor },
              logId: { keyId: ctlog.logID }
            }
          ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: url,
        certChain: { certificates: [{ rawBytes: tsa.intCertificate }, { rawBytes: tsa.rootCertificate }] },
        validFor
      }
    ]
  } as unknown as TrustedRoot)
  const dir = await mkdtemp(join(tmpdir(), 'obm-sigstore-'))
  const trustedRootPath = join(dir, 'trusted_root.json')
  await writeFile(trustedRootPath, JSON.stringify(root))

  let n = 0
  return {
    shape,
    url,
    trustedRoot: root,
    idToken: c => jwt({ ...claimsOf(c), aud: 'sigstore' }),
    input: kind => (kind === 'rekor' ? `fulcio=${url}\nrekor=${url}` : `fulcio=${url}\ntsa=${url}`),
    trustedRootPath,
    hits,
    tokenEnv(c) {
      const requestToken = `request-token-${++n}-${Math.random().toString(36).slice(2)}`
      tokens.set(requestToken, claimsOf(c))
      return { ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/oidc/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }
    },
    close: () => new Promise<void>(r => server.close(() => r()))
  }
}
