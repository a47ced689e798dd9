/**
 * Which proxy a request goes through, from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (either case,
 * lower case first), by the rules curl, Go's net/http (Docker, ORAS) and @actions/http-client share:
 * - `https://` URLs use HTTPS_PROXY, `http://` URLs use HTTP_PROXY; one never stands in for the other;
 * - loopback hosts (`localhost`, 127.0.0.0/8, ::1: isLoopbackHost, the one definition, which also
 *   decides plain HTTP) never go through a proxy;
 * - NO_PROXY is a comma (or space) separated list: `*` alone bypasses every host; `example.com`,
 *   `.example.com` and `*.example.com` match example.com and every name under it; `host:port`
 *   matches that port only; an IP literal (`10.1.2.3`, `::1`, `[::1]:5000`) matches that address and a
 *   CIDR block (`10.0.0.0/8`) the addresses in it. Names are compared without case; nothing is resolved.
 * - a proxy given without a scheme (`proxy.corp:3128`) is `http://`; `socks*://` is refused.
 * https://curl.se/docs/manpage.html#--noproxy
 * https://pkg.go.dev/golang.org/x/net/http/httpproxy#Config
 *
 * This module only decides; the tunnel itself (CONNECT, TLS to the registry inside it, the
 * proxy's own TLS and Basic credentials) is undici's ProxyAgent: see dispatcher.ts for why.
 * Pure: the environment is an argument, so the CLI, the action and tests each give their own.
 */
import { BlockList, isIP } from 'node:net'
import { UsageError } from '../../errors.js'
import { addSecret } from '../../log.js'
import { isLoopbackHost } from '../reference.js'

export interface ProxyRule {
  /** a host name suffix (lower case, no leading dot) or an IP address */
  host?: string
  /** the CIDR block, for `10.0.0.0/8` entries */
  block?: BlockList
  port?: number
}

export interface ProxySettings {
  https?: ProxyServer
  http?: ProxyServer
  /** `NO_PROXY=*` */
  bypassAll: boolean
  rules: ProxyRule[]
}

export interface ProxyServer {
  /** the proxy URL as given, credentials included (never print it: use `display`) */
  url: URL
  /** `http://proxy.corp:3128`: no credentials, for messages */
  display: string
  /** the variable it came from, for messages: `HTTPS_PROXY`, `https_proxy` */
  variable: string
}

export const NO_PROXY_SETTINGS: ProxySettings = { bypassAll: false, rules: [] }

/** The value of `name` in lower case, else upper case; empty means unset. */
function envValue(env: NodeJS.ProcessEnv, name: string): { value: string; variable: string } | undefined {
  for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[variable]?.trim()
    if (value) return { value, variable }
  }
  return undefined
}

function parseProxyUrl(value: string, variable: string): ProxyServer {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    // the value may hold credentials: name the variable, not the value
    throw new UsageError(`${variable} is not a URL`, { hint: `give the proxy as http://host:port (credentials as http://user:password@host:port)` })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${variable} names a ${url.protocol.replace(/:$/, '')} proxy, which is not supported`, {
      hint: 'use an http:// or https:// proxy (one that answers CONNECT)'
    })
  }
  maskProxyCredentials(url)
  return { url, display: `${url.protocol}//${url.host}`, variable }
}

/** Mask the password of a proxy URL, raw and decoded, and the Basic `user:password` form. */
export function maskProxyCredentials(url: URL): void {
  if (!url.password) return
  addSecret(url.password)
  const user = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  addSecret(password)
  addSecret(Buffer.from(`${user}:${password}`).toString('base64'))
}

function parseRule(entry: string): ProxyRule | undefined {
  let e = entry.trim().toLowerCase()
  if (!e) return undefined
  // CIDR: 10.0.0.0/8, fd00::/8
  const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(e)
  if (cidr && isIP(cidr[1] as string)) {
    const family = isIP(cidr[1] as string) === 6 ? 'ipv6' : 'ipv4'
    const block = new BlockList()
    try {
      block.addSubnet(cidr[1] as string, Number(cidr[2]), family)
    } catch {
      return undefined
    }
    return { block }
  }
  let port: number | undefined
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(e)
  if (bracketed) {
    e = bracketed[1] as string
    if (bracketed[2]) port = Number(bracketed[2])
  } else if (isIP(e) !== 6) {
    const withPort = /^(.*):(\d+)$/.exec(e)
    if (withPort) {
      e = withPort[1] as string
      port = Number(withPort[2])
    }
  }
  e = e.replace(/^\*?\.+/, '')
  if (!e) return undefined
  return { host: e, ...(port !== undefined ? { port } : {}) }
}

/** Read the proxy variables; a malformed proxy URL is a usage error (exit 2), found before any request. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const https = envValue(env, 'https_proxy')
  const http = envValue(env, 'http_proxy')
  const noProxy = envValue(env, 'no_proxy')?.value ?? ''
  const entries = noProxy.split(/[,\s]+/).filter(Boolean)
  return {
    ...(https ? { https: parseProxyUrl(https.value, https.variable) } : {}),
    ...(http ? { http: parseProxyUrl(http.value, http.variable) } : {}),
    bypassAll: entries.includes('*'),
    rules: entries.filter(e => e !== '*').flatMap(e => parseRule(e) ?? [])
  }
}

/** Whether `url` bypasses the proxy (loopback, or matched by NO_PROXY). */
export function bypassesProxy(url: URL, settings: ProxySettings): boolean {
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '')
  if (isLoopbackHost(url.host)) return true
  if (settings.bypassAll) return true
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  const ipFamily = isIP(host)
  for (const r of settings.rules) {
    if (r.port !== undefined && r.port !== port) continue
    if (r.block) {
      if (ipFamily && r.block.check(host, ipFamily === 6 ? 'ipv6' : 'ipv4')) return true
      continue
    }
    const h = r.host as string
    if (ipFamily || isIP(h)) {
      if (host === h) return true
      continue
    }
    if (host === h || host.endsWith(`.${h}`)) return true
  }
  return false
}

/** The proxy for `url`, or undefined to connect directly. */
export function proxyFor(url: URL, settings: ProxySettings): ProxyServer | undefined {
  const server = url.protocol === 'https:' ? settings.https : url.protocol === 'http:' ? settings.http : undefined
  if (!server) return undefined
  return bypassesProxy(url, settings) ? undefined : server
}
