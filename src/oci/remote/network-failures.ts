/**
 * A request that got no answer, in words: a certificate problem (never retried: it will not fix
 * itself), a proxy that could not be reached or refused the tunnel, a time-out, or a connection
 * that failed. Each names the host, the cause and what to do.
 * Certificate codes are OpenSSL's (X509_V_ERR_*, as Node reports them) and Node's own
 * (ERR_TLS_CERT_ALTNAME_INVALID): https://nodejs.org/docs/latest-v20.x/api/tls.html#x509-certificate-error-codes
 */
import { OciError } from '../../errors.js'
import { formatSeconds } from './deadline.js'
import { whereOf, type HttpErrorContext } from './registry-errors.js'
import type { ProxyServer } from './proxy.js'

export interface NetworkFailure {
  error: OciError
  /** worth another attempt (a refused connection may come back; a certificate will not) */
  retriable: boolean
}

type Fix = 'ca' | 'self-signed' | 'clock' | 'name' | 'other'

/** Certificate verification failures: the reason in words and which fix applies. */
const CERTIFICATE: Record<string, { reason: string; fix: Fix }> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { reason: 'was issued by a certificate authority this machine does not trust', fix: 'ca' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { reason: 'was issued by a certificate authority this machine does not trust', fix: 'ca' },
  UNABLE_TO_GET_ISSUER_CERT: { reason: 'was issued by a certificate authority this machine does not trust', fix: 'ca' },
  SELF_SIGNED_CERT_IN_CHAIN: { reason: 'chains to a self-signed root certificate this machine does not trust', fix: 'ca' },
  CERT_UNTRUSTED: { reason: 'is not trusted by this machine', fix: 'ca' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { reason: 'is self-signed, and this machine does not trust it', fix: 'self-signed' },
  CERT_HAS_EXPIRED: { reason: 'has expired', fix: 'clock' },
  CERT_NOT_YET_VALID: { reason: 'is not valid yet', fix: 'clock' },
  ERR_TLS_CERT_ALTNAME_INVALID: { reason: 'was issued for other host names', fix: 'name' },
  CERT_REVOKED: { reason: 'has been revoked', fix: 'other' },
  CERT_SIGNATURE_FAILURE: { reason: 'carries a signature that does not verify', fix: 'other' },
  CERT_REJECTED: { reason: 'was rejected', fix: 'other' },
  INVALID_CA: { reason: 'was issued by a certificate that is not a CA', fix: 'other' },
  INVALID_PURPOSE: { reason: 'may not be used for a TLS server', fix: 'other' }
}

/** The other side does not speak TLS: most often a plain-HTTP registry asked over HTTPS. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL'])

/** Failures to reach a host at all (as opposed to a connection that broke). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'])

interface ErrLike {
  code?: string
  message?: string
  cause?: unknown
  reason?: string
  address?: string
  hostname?: string
  port?: number
}

/** The error and its causes, outermost first (undici wraps, Node nests). */
function chain(e: unknown): ErrLike[] {
  const out: ErrLike[] = []
  let cur: unknown = e
  for (let depth = 0; cur && typeof cur === 'object' && depth < 5; depth++) {
    out.push(cur as ErrLike)
    cur = (cur as ErrLike).cause
  }
  return out
}

function fixFor(fix: Fix, host: string): string {
  switch (fix) {
    case 'ca':
      return (
        `if the registry's certificate comes from a private CA, set NODE_EXTRA_CA_CERTS to a PEM file holding the CA certificate (in the step's ` +
        `environment: node reads it at start)`
      )
    case 'self-signed':
      return `set NODE_EXTRA_CA_CERTS to a PEM file holding this certificate, or give the registry one from a trusted CA`
    case 'clock':
      return `renew the registry's certificate, or check this machine's clock`
    case 'name':
      return `use the host name the certificate was issued for, or have it reissued for ${host}`
    default:
      return `have the registry's certificate replaced`
  }
}

function describeCause(list: ErrLike[]): string {
  const parts: string[] = []
  for (const err of list) {
    const text = err.code ?? err.message
    if (text && !parts.includes(text)) parts.push(text)
  }
  return parts.join(', ') || 'connection failed'
}

/** `Proxy response (407) !== 200 when HTTP Tunneling`: undici's words for a refused CONNECT. */
function tunnelStatus(list: ErrLike[]): number | undefined {
  for (const err of list) {
    const m = /Proxy response \((\d{3})\)/.exec(err.message ?? '')
    if (m) return Number(m[1])
    if (/Proxy Authentication Required/.test(err.message ?? '')) return 407
  }
  return undefined
}

function isProxyEndpoint(err: ErrLike, proxy: ProxyServer): boolean {
  const port = Number(proxy.url.port) || (proxy.url.protocol === 'https:' ? 443 : 80)
  const host = proxy.url.hostname.replace(/^\[|\]$/g, '')
  if (err.hostname !== undefined) return err.hostname === host
  return err.port === port
}

/**
 * Classify a request that got no answer. `url` is what was asked for, `proxy` the proxy it went
 * through (if any), `timedOut` whether our idle timer fired.
 */
export function networkFailure(ctx: HttpErrorContext, url: URL, cause: unknown, timedOut: boolean, timeoutMs: number, proxy?: ProxyServer): NetworkFailure {
  const where = whereOf(ctx)
  const host = url.host
  const base = { op: ctx.op, where: ctx.where, cause }
  if (timedOut) {
    const hint = 'the registry did not answer in time; retry later'
    return { retriable: true, error: new OciError('TIMEOUT', `${where}: no answer from ${host} within ${formatSeconds(timeoutMs)}`, { ...base, hint }) }
  }
  const list = chain(cause)
  const certificate = list.find(err => err.code !== undefined && CERTIFICATE[err.code] !== undefined)
  if (certificate) {
    const { reason, fix } = CERTIFICATE[certificate.code as string]!
    // Node's altname error says which names the certificate holds: worth showing
    const detail = certificate.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && certificate.reason ? `, ${certificate.reason.replace(/[.\s]+$/, '')}` : ''
    const message = `${where}: the TLS certificate of ${host} ${reason} (${certificate.code}${detail})`
    return { retriable: false, error: new OciError('TLS', message, { ...base, hint: fixFor(fix, url.hostname) }) }
  }
  const notTls = list.find(err => err.code !== undefined && NOT_TLS.has(err.code))
  if (notTls) {
    const message = `${where}: ${host} does not speak TLS on this port (${notTls.code}), it may serve plain HTTP`
    return {
      retriable: false,
      error: new OciError('TLS', message, { ...base, hint: `if the registry serves plain HTTP, list ${host} in insecure-registries` })
    }
  }
  if (proxy) {
    const via = `the proxy ${proxy.display} (from ${proxy.variable})`
    const status = tunnelStatus(list)
    if (status === 407) {
      return {
        retriable: false,
        error: new OciError('PROXY', `${where}: ${via} refused its credentials (407 Proxy Authentication Required)`, {
          ...base,
          hint: `check the user and password in ${proxy.variable} (http://user:password@host:port)`
        })
      }
    }
    if (status !== undefined) {
      return {
        retriable: status >= 500,
        error: new OciError('PROXY', `${where}: ${via} would not open a tunnel to ${host} (${status})`, {
          ...base,
          hint: `check that the proxy may reach ${host}, or list ${url.hostname} in NO_PROXY to connect directly`
        })
      }
    }
    const unreachable = list.find(err => err.code !== undefined && UNREACHABLE.has(err.code) && isProxyEndpoint(err, proxy))
    if (unreachable) {
      return {
        retriable: true,
        error: new OciError('PROXY', `${where}: could not connect to ${via} (${unreachable.code})`, {
          ...base,
          hint: `check ${proxy.variable}, or list ${url.hostname} in NO_PROXY to connect directly`
        })
      }
    }
  }
  const reason = describeCause(list)
  const hint = proxy ? `check that ${host} is reachable through ${proxy.display}` : `check that ${host} is reachable from this machine`
  return { retriable: true, error: new OciError('NETWORK', `${where}: network error (${reason})`, { ...base, hint }) }
}
