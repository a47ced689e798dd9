/**
 * The HTTP side: a node:http server on 127.0.0.1 (random port) that records every request, applies
 * scripted faults, authenticates, and routes to the handlers; and, when blob redirects are on, a
 * second server on another port (another origin) that serves blob bytes by a signed URL.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import type { RecordedRequest, TestRegistry, TestRegistryOptions, Fault } from './types.js'
import { Storage } from './storage.js'
import { Auth } from './auth.js'
import { Handlers, actionOf, route } from './handlers.js'
import { Delays, FaultList, faultReply, isBodyOnly, resetConnection, writeReply } from './faults.js'
import { specError, type Reply } from './reply.js'
import { RacyReferrersIndex } from './referrers-index.js'

const BASE_HEADERS = { 'Docker-Distribution-API-Version': 'registry/2.0' }

export function record(req: IncomingMessage, origin: RecordedRequest['origin']): { rec: RecordedRequest; url: URL } {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const query: Record<string, string> = {}
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]} ${v}` : v
  const headers: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    path = url.pathname
  }
  return { rec: { method: req.method ?? 'GET', path, query, headers, status: 0, origin }, url }
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

export function closeServer(server: Server): Promise<void> {
  return new Promise(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/**
 * Serve one request with the fault layer around `serve`: a fault with a status (or a reset) answers
 * instead; a delay waits first; body modes alter what `serve` answered.
 */
export async function serveWithFaults(
  req: IncomingMessage,
  res: ServerResponse,
  rec: RecordedRequest,
  faults: FaultList,
  delays: Delays,
  serve: () => Promise<Reply>
): Promise<void> {
  res.on('finish', () => {
    rec.status = res.statusCode
  })
  const taken = faults.takeUndoable(rec.method, rec.path)
  let fault: Fault | undefined = taken?.fault
  try {
    if (fault?.delayMs) await delays.wait(fault.delayMs)
    if (res.destroyed || req.socket.destroyed) return
    if (fault?.resetConnection) {
      resetConnection(req)
      return
    }
    let reply: Reply
    if (fault?.status !== undefined) {
      req.resume() // drain whatever body was sent
      reply = faultReply(fault)
    } else reply = await serve()
    if (taken && fault && isBodyOnly(fault) && (rec.method === 'HEAD' || !reply.body?.length)) {
      taken.undo() // nothing to cut or corrupt here: keep it for the answer that has a body
      fault = undefined
    }
    reply.headers = { ...BASE_HEADERS, ...reply.headers }
    if (res.destroyed) return
    writeReply(rec.method, res, reply, fault)
  } catch (e) {
    if (!res.headersSent && !res.destroyed) writeReply(rec.method, res, specError(500, 'UNSUPPORTED', `internal error: ${String(e)}`), undefined)
  }
}

export async function startTestRegistry(opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const storage = new Storage()
  const faults = new FaultList()
  const delays = new Delays()
  const handlers = new Handlers(storage, opts, opts.racyReferrersIndex ? new RacyReferrersIndex(opts.racyReferrersIndex.windowMs, delays) : undefined)
  const requests: RecordedRequest[] = []
  const redirectRequests: RecordedRequest[] = []
  const tokenRequests: RecordedRequest[] = []
  let url = ''
  const auth = new Auth(opts.auth, () => `${url}/token`)

  // the redirect target: another origin, serving bytes by digest to whoever holds the signature
  let redirectServer: Server | undefined
  let redirectOrigin = ''
  const secret = randomBytes(16).toString('hex')
  const sign = (digest: string): string => Buffer.from(`${secret}:${digest}`).toString('base64url')
  if (opts.redirectBlobs) {
    redirectServer = createServer((req, res) => {
      const { rec, url: u } = record(req, 'redirect')
      requests.push(rec)
      redirectRequests.push(rec)
      void serveWithFaults(req, res, rec, faults, delays, async () => {
        const m = /^\/blobs\/([^/]+)$/.exec(rec.path)
        if (req.method !== 'GET' && req.method !== 'HEAD') return specError(405, 'UNSUPPORTED', 'method not allowed')
        // like S3 with a presigned URL: a second credential is an error
        if (req.headers.authorization !== undefined)
          return specError(400, 'UNSUPPORTED', 'only one auth mechanism allowed; Authorization must not be sent to storage')
        if (!m || u.searchParams.get('sig') !== sign(m[1] as string)) return specError(403, 'DENIED', 'bad or missing signature')
        const bytes = storage.content.get(m[1] as string)
        if (!bytes) return specError(404, 'BLOB_UNKNOWN', 'blob unknown')
        return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: bytes }
      })
    })
    redirectOrigin = `http://127.0.0.1:${await listen(redirectServer)}`
  }

  const server = createServer((req, res) => {
    const { rec, url: u } = record(req, 'registry')
    requests.push(rec)
    if (rec.path === '/token') tokenRequests.push(rec)
    void serveWithFaults(req, res, rec, faults, delays, async () => {
      if (rec.path === '/token') {
        req.resume()
        return rec.method === 'GET' ? auth.token(u.searchParams, req.headers.authorization) : specError(405, 'UNSUPPORTED', 'method not allowed')
      }
      const r = route(rec.path)
      if (!r) return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: new TextEncoder().encode('404 page not found\n') }
      const need = r.kind === 'base' ? {} : { repo: r.repo, action: actionOf(rec.method) }
      const a = auth.check(need, req.headers.authorization)
      if (!a.ok) {
        req.resume()
        return a.reply
      }
      return handlers.handle({
        req,
        method: rec.method,
        path: rec.path,
        query: u.searchParams,
        route: r,
        ...(redirectServer ? { redirectUrl: (d: string) => `${redirectOrigin}/blobs/${d}?sig=${sign(d)}` } : {})
      })
    })
  })
  const port = await listen(server)
  url = `http://127.0.0.1:${port}`

  return {
    url,
    host: `127.0.0.1:${port}`,
    requests,
    redirectRequests,
    tokenRequests,
    addFault: f => faults.add(f),
    clearFaults: () => faults.clear(),
    resetRequests: () => {
      requests.length = 0
      redirectRequests.length = 0
      tokenRequests.length = 0
    },
    putBlob: (repo, bytes) => storage.putBlob(repo, bytes),
    putManifest: (repo, bytes, mediaType, tag) => storage.putManifest(repo, bytes, mediaType, tag).digest,
    getManifest: (repo, ref) => {
      const m = storage.resolve(repo, ref)
      return m ? { bytes: new Uint8Array(m.bytes), mediaType: m.mediaType } : undefined
    },
    tags: repo => storage.tags(repo),
    close: async () => {
      delays.clear()
      await Promise.all([closeServer(server), redirectServer ? closeServer(redirectServer) : Promise.resolve()])
    }
  }
}
