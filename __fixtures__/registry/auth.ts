/**
 * Authentication: Basic, or Bearer with a token endpoint on the same server, after the Docker token
 * protocol (https://distribution.github.io/distribution/spec/auth/token/).
 * Scopes are `repository:<name>:pull[,push]`; DELETE needs push here (distribution asks for `delete`).
 */
import { randomBytes } from 'node:crypto'
import type { TestRegistryOptions } from './types.js'
import { json, specError, type Reply } from './reply.js'

export const SERVICE = 'test-registry'
export type Action = 'pull' | 'push'

interface Token {
  access: Map<string, Set<Action>>
  expiresAt: number
}

export interface Need {
  /** undefined for `/v2/`: any authenticated caller */
  repo?: string
  action?: Action
}

export type AuthResult = { ok: true } | { ok: false; reply: Reply }

export class Auth {
  private readonly tokens = new Map<string, Token>()

  constructor(
    private readonly opts: TestRegistryOptions['auth'],
    private readonly realm: () => string
  ) {}

  get kind(): 'none' | 'basic' | 'bearer' {
    return this.opts?.kind ?? 'none'
  }

  private basicUser(authorization: string | undefined): 'valid' | 'invalid' | 'none' {
    if (!authorization) return 'none'
    const m = /^Basic\s+(\S+)$/i.exec(authorization)
    if (!m) return 'invalid'
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    if (i < 0) return 'invalid'
    return decoded.slice(0, i) === this.opts?.username && decoded.slice(i + 1) === this.opts?.password ? 'valid' : 'invalid'
  }

  /**
   * The token endpoint (Bearer only): GET with Basic credentials, or with none for anonymous pull
   * (https://distribution.github.io/distribution/spec/auth/token/). The OAuth2 POST form is not
   * served: our client uses it only for identity tokens, tested against a scripted server
   * (__tests__/oci/remote/scripted.itg.test.ts).
   */
  token(params: URLSearchParams, authorization: string | undefined): Reply {
    if (this.kind !== 'bearer') return specError(404, 'UNSUPPORTED', 'no token endpoint')
    const service = params.get('service')
    if (service !== null && service !== SERVICE) return specError(400, 'UNSUPPORTED', `unknown service "${service}"`)
    const who = this.basicUser(authorization)
    if (who === 'invalid' || (who === 'none' && !this.opts?.anonymousPull)) {
      return specError(401, 'UNAUTHORIZED', 'authentication required', undefined, { 'WWW-Authenticate': `Basic realm="${SERVICE}"` })
    }
    const access = new Map<string, Set<Action>>()
    for (const scope of params
      .getAll('scope')
      .flatMap(s => s.split(' '))
      .filter(Boolean)) {
      const m = /^repository:([^:]+):(.*)$/.exec(scope)
      if (!m) continue
      const granted = access.get(m[1] as string) ?? new Set<Action>()
      for (const a of (m[2] as string).split(',')) {
        if (a === 'pull' || ((a === 'push' || a === '*') && who === 'valid')) granted.add(a === '*' ? 'push' : a)
        if (a === '*' && who === 'valid') granted.add('pull')
      }
      access.set(m[1] as string, granted)
    }
    const ttl = this.opts?.tokenTtlSeconds ?? 300
    const value = randomBytes(24).toString('base64url')
    this.tokens.set(value, { access, expiresAt: Date.now() + ttl * 1000 })
    return json(200, { token: value, access_token: value, expires_in: ttl, issued_at: new Date().toISOString() })
  }

  private challenge(need: Need, error?: 'invalid_token' | 'insufficient_scope'): Reply {
    let header: string
    if (this.kind === 'basic') header = `Basic realm="${SERVICE}"`
    else {
      header = `Bearer realm="${this.realm()}",service="${SERVICE}"`
      if (need.repo) header += `,scope="repository:${need.repo}:${need.action === 'push' ? 'pull,push' : 'pull'}"`
      if (error) header += `,error="${error}"`
    }
    const message = error === 'insufficient_scope' ? 'insufficient scope' : error === 'invalid_token' ? 'invalid or expired token' : 'authentication required'
    const detail = need.repo ? [{ Type: 'repository', Class: '', Name: need.repo, Action: need.action ?? 'pull' }] : undefined
    return specError(401, 'UNAUTHORIZED', message, detail, { 'WWW-Authenticate': header })
  }

  check(need: Need, authorization: string | undefined): AuthResult {
    if (this.kind === 'none') return { ok: true }
    if (this.kind === 'basic') return this.basicUser(authorization) === 'valid' ? { ok: true } : { ok: false, reply: this.challenge(need) }
    const m = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null
    if (!m) return { ok: false, reply: this.challenge(need) }
    const tok = this.tokens.get(m[1] as string)
    if (!tok || tok.expiresAt <= Date.now()) return { ok: false, reply: this.challenge(need, 'invalid_token') }
    if (need.repo && !tok.access.get(need.repo)?.has(need.action ?? 'pull')) {
      return { ok: false, reply: this.challenge(need, 'insufficient_scope') }
    }
    return { ok: true }
  }
}
