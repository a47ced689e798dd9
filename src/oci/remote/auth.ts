/**
 * Authorization for one registry: anonymous, Basic, or Bearer tokens from the challenge's realm.
 * Tokens are cached per scope; a 401 refreshes once; `insufficient_scope` asks for the scope the
 * challenge names. Basic credentials never go over plain HTTP to a non-loopback host.
 * https://distribution.github.io/distribution/spec/auth/token/
 * https://distribution.github.io/distribution/spec/auth/oauth/ (identity tokens: refresh_token grant)
 */
import { OciError, UsageError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { isLoopbackHost } from '../reference.js'
import { mergeScopes, parseChallenges, pickChallenge, scopeKey } from './challenge.js'
import { maskCredentials, type Credentials } from './credentials.js'
import { httpError, type CredentialState } from './registry-errors.js'

/** Token lifetime when the server does not say: the token spec's default. */
export const DEFAULT_TOKEN_TTL_SECONDS = 60
/** Refresh this long before a token expires, for clock skew and slow requests. */
export const TOKEN_EXPIRY_MARGIN_MS = 10_000
/** A token answer is a small JSON object. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024
/** OAuth2 `client_id` for identity-token grants (the spec requires one). */
export const OAUTH_CLIENT_ID = 'oci-build-metadata'

export interface RawRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: string
}
export interface RawResponse {
  status: number
  headers: Headers
  body: Uint8Array
}
/** Sends without authorization (with timeouts, retries and counting): for the token endpoint. */
export type RawFetcher = (req: RawRequest) => Promise<RawResponse>

interface CachedToken {
  token: string
  /** when to stop using it (its expiry less a margin) */
  expiresAt: number
}

/** Never send Basic credentials over plain HTTP except to loopback. */
export function assertSafeForBasic(url: string, what: string): void {
  const u = new URL(url)
  if (u.protocol === 'http:' && !isLoopbackHost(u.host)) {
    throw new UsageError(`refusing to send credentials over plain HTTP to ${u.host} (${what})`, {
      hint: 'use HTTPS for this registry, or drop the credentials'
    })
  }
}

export function basicHeader(c: Credentials): string {
  const b64 = Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')
  maskCredentials(c)
  return `Basic ${b64}`
}

export class Authorizer {
  private scheme: 'basic' | 'bearer' | undefined
  private realm: string | undefined
  private service: string | undefined
  private readonly tokens = new Map<string, CachedToken>()
  private credentialsPromise: Promise<Credentials | undefined> | undefined

  constructor(
    private readonly registry: string,
    private readonly where: string,
    private readonly getCredentials: () => Promise<Credentials | undefined>,
    private readonly fetchRaw: RawFetcher,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now
  ) {}

  private credentials(): Promise<Credentials | undefined> {
    this.credentialsPromise ??= this.getCredentials().then(c => {
      maskCredentials(c)
      return c
    })
    return this.credentialsPromise
  }

  /** Whether credentials were found for this registry, and where (for the 401/403 messages). */
  async credentialState(): Promise<CredentialState> {
    const c = await this.credentials().catch(() => undefined)
    const found = Boolean(c && (c.username || c.password || c.token))
    return { found, ...(found && c?.source ? { source: c.source } : {}) }
  }

  /** The `Authorization` value for a request to the registry's own origin, if any is known yet. */
  async authorization(scopes: string[], url: string): Promise<string | undefined> {
    if (this.scheme === 'basic') {
      const c = await this.credentials()
      if (!c?.username && !c?.password) return undefined
      assertSafeForBasic(url, this.registry)
      return basicHeader(c)
    }
    if (this.scheme === 'bearer') {
      const token = this.cached(scopes) ?? (await this.fetchToken(scopes))
      return `Bearer ${token}`
    }
    return undefined
  }

  /**
   * Answer a 401. Returns true when new authorization is available (retry once), false when there
   * is nothing to try (no credentials for Basic): the 401 then stands.
   */
  async onChallenge(header: string | null, scopes: string[]): Promise<boolean> {
    const challenge = pickChallenge(parseChallenges(header))
    if (!challenge) return false
    if (challenge.scheme === 'basic') {
      this.scheme = 'basic'
      const c = await this.credentials()
      return Boolean(c?.username || c?.password)
    }
    if (challenge.scheme !== 'bearer') return false
    const realm = challenge.params.realm
    if (!realm) {
      throw new OciError('INVALID_RESPONSE', `authenticate to ${this.where}: Bearer challenge without realm`, { op: 'authenticate', where: this.where })
    }
    this.scheme = 'bearer'
    this.realm = realm
    this.service = challenge.params.service
    let want = scopes
    // the registry says which scope it needs (insufficient_scope, or a first challenge naming it)
    if (challenge.params.scope) want = mergeScopes([...scopes, challenge.params.scope])
    this.tokens.delete(scopeKey(scopes))
    this.tokens.delete(scopeKey(want))
    const token = await this.fetchToken(want)
    // cache under the scopes asked for too, so the retry finds it
    this.tokens.set(scopeKey(scopes), this.tokens.get(scopeKey(want)) ?? { token, expiresAt: this.now() + DEFAULT_TOKEN_TTL_SECONDS * 1000 })
    return true
  }

  private cached(scopes: string[]): string | undefined {
    const now = this.now()
    const keys = [scopeKey(scopes)]
    // a pull,push token also serves reads of the same repository
    const pushed = scopeKey(scopes.map(s => s.replace(/:pull$/, ':pull,push')))
    if (pushed !== keys[0]) keys.push(pushed)
    for (const key of keys) {
      const t = this.tokens.get(key)
      if (t && t.expiresAt > now) return t.token
    }
    return undefined
  }

  private async fetchToken(scopes: string[]): Promise<string> {
    const realm = this.realm!
    const merged = mergeScopes(scopes)
    const c = await this.credentials()
    let res: RawResponse
    const ctx = { op: 'authenticate', where: this.where, registry: this.registry, preposition: 'to' as const }
    if (c?.token && !c.password) {
      // identity token (docker login with an OAuth-backed registry): OAuth2 refresh_token grant
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.token, client_id: OAUTH_CLIENT_ID })
      if (this.service) form.set('service', this.service)
      if (merged.length) form.set('scope', merged.join(' '))
      res = await this.fetchRaw({
        method: 'POST',
        url: realm,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString()
      })
    } else {
      const u = new URL(realm)
      if (this.service) u.searchParams.set('service', this.service)
      for (const s of merged) u.searchParams.append('scope', s)
      const headers: Record<string, string> = {}
      if (c?.username || c?.password) {
        assertSafeForBasic(u.toString(), `token realm of ${this.registry}`)
        headers.authorization = basicHeader(c)
      }
      res = await this.fetchRaw({ method: 'GET', url: u.toString(), headers })
    }
    if (res.status !== 200) {
      const auth = await this.credentialState()
      throw httpError(
        ctx,
        res.status,
        res.body,
        res.status === 401 || res.status === 403 ? { auth } : { code: res.status >= 500 ? 'SERVER_ERROR' : 'UNAUTHORIZED', auth }
      )
    }
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown }
    try {
      json = JSON.parse(new TextDecoder().decode(res.body)) as typeof json
    } catch (e) {
      throw new OciError('INVALID_RESPONSE', `authenticate to ${this.where}: the token endpoint ${new URL(realm).host} answered something other than JSON`, {
        cause: e
      })
    }
    const token = typeof json.token === 'string' && json.token ? json.token : typeof json.access_token === 'string' ? json.access_token : ''
    if (!token) throw new OciError('INVALID_RESPONSE', `authenticate to ${this.where}: the token endpoint ${new URL(realm).host} answered without a token`)
    maskCredentials({ token })
    const ttl = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_TTL_SECONDS
    // refresh early, but a short-lived token must still serve the requests right after it
    const expiresAt = this.now() + ttl * 1000 - Math.min(TOKEN_EXPIRY_MARGIN_MS, ttl * 500)
    this.tokens.set(scopeKey(scopes), { token, expiresAt })
    this.logger.debug(`token for ${merged.join(' ')} from ${new URL(realm).host} (ttl ${ttl}s)`)
    return token
  }
}
