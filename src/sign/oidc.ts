/**
 * The OIDC identity token Fulcio certifies. On GitHub Actions the runner serves it to jobs with
 * `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN); elsewhere (GitLab's
 * `id_tokens`, a laptop) SIGSTORE_ID_TOKEN carries one, as cosign reads it.
 * https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
import { OciError, UsageError } from '../errors.js'
import { addSecret } from '../log.js'
import { send, SendError } from '../oci/remote/dispatcher.js'
import { proxySettings } from '../oci/remote/proxy.js'

/** Fulcio's audience for identity tokens. */
export const SIGSTORE_AUDIENCE = 'sigstore'
/** A token endpoint that does not answer in this time has failed. */
export const TOKEN_TIMEOUT_MS = 15_000

export interface TokenSource {
  /** where the token comes from, for messages */
  from: string
  getToken(): Promise<string>
}

/** The token source, or a UsageError naming what is missing (checked before anything is written). */
export function tokenSource(env: NodeJS.ProcessEnv): TokenSource {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (url && bearer) {
    addSecret(bearer)
    let cached: Promise<string> | undefined
    return { from: 'the GitHub Actions OIDC provider', getToken: () => (cached ??= fetchGitHubToken(url, bearer, env)) }
  }
  const given = env.SIGSTORE_ID_TOKEN?.trim()
  if (given) {
    addSecret(given)
    return { from: 'SIGSTORE_ID_TOKEN', getToken: async () => given }
  }
  if (env.GITHUB_ACTIONS === 'true') {
    throw new UsageError("sign: true needs the workflow's OIDC token: this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set)", {
      hint: 'add "permissions: id-token: write" to the job'
    })
  }
  throw new UsageError('sign: true needs an OIDC identity token: none was found', {
    hint: 'run in GitHub Actions with "permissions: id-token: write", or set SIGSTORE_ID_TOKEN (e.g. a GitLab id_token with aud: sigstore)'
  })
}

/** The token request goes out the way every request does (src/oci/remote/dispatcher.ts): HTTPS_PROXY and NO_PROXY apply. */
async function fetchGitHubToken(requestUrl: string, bearer: string, env: NodeJS.ProcessEnv): Promise<string> {
  const u = new URL(requestUrl)
  u.searchParams.set('audience', SIGSTORE_AUDIENCE)
  let res: { status: number; text: string }
  try {
    const answer = await send(
      u,
      'GET',
      { authorization: `Bearer ${bearer}`, accept: 'application/json' },
      undefined,
      AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      proxySettings(env)
    )
    const chunks: Buffer[] = []
    for await (const c of answer.body) chunks.push(c as Buffer)
    res = { status: answer.status, text: Buffer.concat(chunks).toString('utf8') }
  } catch (e) {
    const cause = e instanceof SendError ? e.cause : e
    throw new OciError('NETWORK', `get the OIDC token from ${u.host}: ${(cause as Error)?.message ?? String(cause)}`, {
      op: 'get OIDC token',
      hint: 're-run the job; check that the runner can reach its OIDC provider'
    })
  }
  const text = res.text
  if (res.status !== 200) {
    throw new OciError(res.status === 401 || res.status === 403 ? 'DENIED' : 'SERVER_ERROR', `get the OIDC token from ${u.host}: HTTP ${res.status}`, {
      op: 'get OIDC token',
      status: res.status,
      hint: 'check that the job has "permissions: id-token: write"'
    })
  }
  let value: unknown
  try {
    value = (JSON.parse(text) as { value?: unknown }).value
  } catch {
    value = undefined
  }
  if (typeof value !== 'string' || value.split('.').length !== 3) {
    throw new OciError('INVALID_RESPONSE', `get the OIDC token from ${u.host}: the answer holds no token`, { op: 'get OIDC token' })
  }
  addSecret(value)
  return value
}
