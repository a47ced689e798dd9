/**
 * An HTTP CONNECT proxy on 127.0.0.1, as corporate networks run them (Squid and the like): it
 * opens a TCP tunnel to `host:port` for each CONNECT and counts them. It resolves the names it is
 * given to 127.0.0.1 itself (the test names exist nowhere else), so a client that tries to go
 * around it cannot even resolve the registry. Optionally it demands Basic proxy credentials
 * (407 otherwise). Anything but CONNECT is answered 405: tunnels are the only way through.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { closeServer, listen } from './registry/server.js'

export interface Tunnel {
  /** `registry.test:5443` as the client asked */
  target: string
  /** the local port of the proxy's own connection to the target (to match what the target saw) */
  localPort: number
}

export interface ConnectProxy {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  /** every tunnel opened, in order */
  tunnels: Tunnel[]
  /** CONNECTs refused: 407 (credentials) and 502 (unknown host, unreachable) */
  refused: Array<{ target: string; status: number }>
  /** requests other than CONNECT (answered 405) */
  plainRequests: number
  /** the Proxy-Authorization headers received */
  proxyAuthorizations: string[]
  /** `Authorization` headers on CONNECT requests: a registry credential sent to the proxy (must stay empty) */
  authorizations: string[]
  reset(): void
  close(): Promise<void>
}

export interface ConnectProxyOptions {
  /** names this proxy resolves (to 127.0.0.1); IP literals are connected to as they are */
  hosts: string[]
  /** `host:port` → a loopback port: what the proxy reaches for that target (`ghcr.io:443` → a local TLS server) */
  routes?: Record<string, number>
  /** demand these Basic credentials */
  credentials?: { username: string; password: string }
}

export async function startConnectProxy(opts: ConnectProxyOptions): Promise<ConnectProxy> {
  const hosts = new Set(opts.hosts.map(h => h.toLowerCase()))
  const tunnels: Tunnel[] = []
  const refused: ConnectProxy['refused'] = []
  const proxyAuthorizations: string[] = []
  const authorizations: string[] = []
  const open = new Set<Duplex>()
  let plainRequests = 0
  const expected = opts.credentials ? `Basic ${Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString('base64')}` : undefined

  const server = createServer((_req, res) => {
    plainRequests++
    res.writeHead(405, { 'content-type': 'text/plain' }).end('this proxy only tunnels (CONNECT)\n')
  })
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => {})
    const target = req.url ?? ''
    const refuse = (status: number, text: string, extra = ''): void => {
      refused.push({ target, status })
      client.end(`HTTP/1.1 ${status} ${text}\r\n${extra}content-length: 0\r\nconnection: close\r\n\r\n`)
    }
    const auth = req.headers['proxy-authorization']
    if (auth) proxyAuthorizations.push(auth)
    if (req.headers.authorization) authorizations.push(req.headers.authorization)
    if (expected && auth !== expected) return refuse(407, 'Proxy Authentication Required', 'proxy-authenticate: Basic realm="test proxy"\r\n')
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target)
    if (!m) return refuse(400, 'Bad Request')
    const [, name, port] = m as unknown as [string, string, string]
    const routed = opts.routes?.[`${name.toLowerCase()}:${port}`]
    const address = routed !== undefined || hosts.has(name.toLowerCase()) ? '127.0.0.1' : /^[\d.]+$/.test(name) ? name : undefined
    if (!address) return refuse(502, 'Bad Gateway')
    const upstream: Socket = connect(routed ?? Number(port), address)
    open.add(upstream)
    upstream.on('close', () => open.delete(upstream))
    let established = false
    upstream.once('connect', () => {
      established = true
      tunnels.push({ target, localPort: upstream.localPort as number })
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => {
      if (!established) refuse(502, 'Bad Gateway')
      else client.destroy()
    })
    client.on('close', () => upstream.destroy())
  })
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    refused,
    get plainRequests() {
      return plainRequests
    },
    proxyAuthorizations,
    authorizations,
    reset() {
      tunnels.length = 0
      refused.length = 0
      proxyAuthorizations.length = 0
      authorizations.length = 0
      plainRequests = 0
    },
    close: async () => {
      for (const s of open) s.destroy()
      await closeServer(server)
    }
  }
}

/**
 * A TCP relay in front of a server that records every connection it accepts (with the peer's
 * port), so a test can tell connections that came through the proxy from direct ones.
 */
export interface Relay {
  port: number
  /** remote ports of the connections accepted, in order */
  connections: number[]
  reset(): void
  close(): Promise<void>
}

export async function startRelay(targetPort: number): Promise<Relay> {
  const { createServer: createTcpServer } = await import('node:net')
  const connections: number[] = []
  const open = new Set<Socket>()
  const server = createTcpServer(client => {
    connections.push(client.remotePort as number)
    const upstream = connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as { port: number }).port,
    connections,
    reset() {
      connections.length = 0
    },
    close: async () => {
      for (const s of open) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/**
 * TLS in front of a plain-HTTP server (the in-process test registry): what a registry behind a
 * TLS-terminating load balancer looks like, with the certificate given.
 */
export async function startTlsFront(targetPort: number, pair: { cert: string; key: string }): Promise<{ port: number; close(): Promise<void> }> {
  const { createServer: createTlsServer } = await import('node:tls')
  const { readFileSync } = await import('node:fs')
  const open = new Set<Socket>()
  const server = createTlsServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }, client => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream] as Socket[]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  server.on('tlsClientError', () => {})
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of open) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
