/**
 * The one way a request leaves the process: undici's `Dispatcher.request`, through an `Agent` for
 * direct connections or a `ProxyAgent` (HTTP CONNECT) when proxy.ts says so. The fetch path and the
 * streamed-upload path are the same call, so both honour the proxy and both count the same.
 *
 * Why undici's ProxyAgent (the package, pinned to the 6.x line Node 20's own fetch is built on):
 * it is the CONNECT client Node's fetch itself uses, maintained by the Node.js project, and it
 * tunnels both `https://` (TLS to the registry inside the tunnel, so the proxy never sees
 * credentials) and `http://` registries, and sends the proxy's own Basic credentials from its URL.
 * Not its `EnvHttpProxyAgent`: in 6.x it is experimental and prints a warning on stderr, it reads
 * only `process.env` (run() is given its environment), and its NO_PROXY treats `example.com` as that
 * host only, where curl, Go (Docker, ORAS) and @actions/http-client also match its subdomains.
 * Not @actions/http-client's rules: they too read only `process.env`, and its tunnel for node:http
 * is the `tunnel` package, unmaintained since 2018. The rules are in proxy.ts, a pure function.
 *
 * Why `Dispatcher.request` and not `fetch`: fetch keeps every chunk of a streamed request body in
 * memory until the request ends (nodejs/undici#4058), so a 512 MiB upload would hold 512 MiB;
 * `request` writes a stream with backpressure. It follows no redirects: transport.ts does, by hand.
 */
import { Readable } from 'node:stream'
import { Agent, ProxyAgent, type Dispatcher } from 'undici'
import { proxyFor, type ProxyServer, type ProxySettings } from './proxy.js'

export interface Answer {
  status: number
  headers: Headers
  /** the body, to read or to `dump` */
  body: Readable & { dump?: (opts?: { limit: number }) => Promise<void> }
  /** the proxy the request went through, if any */
  proxy?: ProxyServer
}

let direct: Agent | undefined
const viaProxy = new Map<string, ProxyAgent>()

/** Dispatchers live for the process: connections are reused across targets of one run. */
function dispatcherFor(url: URL, settings: ProxySettings): { dispatcher: Dispatcher; proxy?: ProxyServer } {
  const proxy = proxyFor(url, settings)
  if (!proxy) {
    direct ??= new Agent()
    return { dispatcher: direct }
  }
  let agent = viaProxy.get(proxy.url.href)
  if (!agent) {
    agent = new ProxyAgent({ uri: proxy.url.href })
    viaProxy.set(proxy.url.href, agent)
  }
  return { dispatcher: agent, proxy }
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers()
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x)
    else if (v !== undefined) h.set(k, v)
  }
  return h
}

export type Body = Uint8Array | string | ReadableStream<Uint8Array>

/**
 * One HTTP exchange, no redirects followed. Rejects when no answer came (connection refused, TLS
 * failure, proxy refusal, abort); the error carries `proxy` when a proxy was in the way.
 */
export async function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Body | undefined,
  signal: AbortSignal,
  settings: ProxySettings
): Promise<Answer> {
  const { dispatcher, proxy } = dispatcherFor(url, settings)
  const payload = body instanceof ReadableStream ? Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>) : body
  try {
    const res = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers,
      signal,
      ...(payload !== undefined ? { body: payload } : {})
    })
    return { status: res.statusCode, headers: toHeaders(res.headers), body: res.body, ...(proxy ? { proxy } : {}) }
  } catch (e) {
    if (payload instanceof Readable) payload.destroy()
    throw new SendError(e, proxy)
  }
}

/** A request that got no answer; `proxy` is set when it went through one. */
export class SendError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly proxy: ProxyServer | undefined
  ) {
    super('no answer')
  }
}
