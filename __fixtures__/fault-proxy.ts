/**
 * A fault-injecting HTTP proxy in front of any registry (used in front of the real distribution
 * registry, which cannot be told to fail). It forwards every request to the target as is, keeping
 * the client's Host header so the target builds its URLs for the proxy, and rewrites absolute
 * Location headers and Bearer realms that name the target so follow-up requests (uploads, tokens)
 * come back through the proxy. Faults are the test registry's: checked before forwarding, in
 * insertion order, first match wins, consumed by `times`.
 *
 * Beside it runs a second origin, a registry's web UI: every request there gets an HTML page with
 * `webStatus` (default 429, as GitHub's can answer). A fault can send the registry's referrers
 * endpoint there with a 303, as GHCR does for some packages.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Fault, RecordedRequest } from './registry/types.js'
import { Delays, FaultList, faultReply, isBodyOnly, resetConnection, writeReply } from './registry/faults.js'
import { closeServer, listen, record } from './registry/server.js'
import type { Reply } from './registry/reply.js'

export type { Fault, RecordedRequest } from './registry/types.js'

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  url: string
  /** 127.0.0.1:PORT */
  host: string
  addFault(f: Fault): void
  clearFaults(): void
  /** every request the proxy received, in order, with the status it answered (0 when reset) */
  requests: RecordedRequest[]
  /** http://127.0.0.1:PORT of the web UI origin (another origin than `url`) */
  webUrl: string
  /** every request the web UI origin received */
  webRequests: RecordedRequest[]
  close(): Promise<void>
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

function responseHeaders(h: IncomingHttpHeaders, rewrite: (v: string) => string, keepTransferEncoding: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    if (HOP_BY_HOP.has(k) && !(k === 'transfer-encoding' && keepTransferEncoding)) continue
    if (k === 'location' || k === 'www-authenticate') out[k] = Array.isArray(v) ? v.map(rewrite) : rewrite(v)
    else out[k] = v
  }
  return out
}

export async function startFaultProxy(targetUrl: string, opts: { webStatus?: number } = {}): Promise<FaultProxy> {
  const target = new URL(targetUrl)
  const faults = new FaultList()
  const delays = new Delays()
  const requests: RecordedRequest[] = []
  const agent = new Agent({ keepAlive: true })
  let proxyOrigin = ''
  const rewrite = (v: string): string => v.split(target.origin).join(proxyOrigin)

  function forward(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, fault: Fault | undefined, undo: (() => void) | undefined): void {
    const headers: IncomingHttpHeaders = {}
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) || k === 'transfer-encoding') headers[k] = v
    const up = request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent
    })
    up.on('response', upRes => {
      const status = upRes.statusCode ?? 502
      const bodyFault = fault?.truncateBody || fault?.corruptBody ? fault : undefined
      if (!bodyFault) {
        res.writeHead(status, responseHeaders(upRes.headers, rewrite, true))
        upRes.pipe(res)
        return
      }
      const chunks: Buffer[] = []
      upRes.on('data', (c: Buffer) => chunks.push(c))
      upRes.on('end', () => {
        const body = Buffer.concat(chunks)
        let applied: Fault | undefined = bodyFault
        if ((rec.method === 'HEAD' || body.length === 0) && undo) {
          undo() // no body to alter: keep the fault for one that has
          applied = undefined
        }
        const h = responseHeaders(upRes.headers, rewrite, false)
        const reply: Reply = { status, headers: {} }
        for (const [k, v] of Object.entries(h)) reply.headers[k] = Array.isArray(v) ? v.join(', ') : v
        if (rec.method !== 'HEAD') reply.body = body
        writeReply(rec.method, res, reply, applied)
      })
      upRes.on('error', () => res.destroy())
    })
    up.on('error', err => {
      if (res.headersSent) res.destroy()
      else
        writeReply(
          rec.method,
          res,
          { status: 502, headers: { 'Content-Type': 'text/plain' }, body: new TextEncoder().encode(`fault proxy: upstream error: ${err.message}\n`) },
          undefined
        )
    })
    req.on('aborted', () => up.destroy())
    req.pipe(up)
  }

  const server = createServer((req, res) => {
    const { rec } = record(req, 'registry')
    requests.push(rec)
    res.on('finish', () => {
      rec.status = res.statusCode
    })
    const taken = faults.takeUndoable(rec.method, rec.path)
    const fault = taken?.fault
    void (async () => {
      if (fault?.delayMs) await delays.wait(fault.delayMs)
      if (res.destroyed || req.socket.destroyed) return
      if (fault?.resetConnection) {
        resetConnection(req)
        return
      }
      if (fault?.status !== undefined) {
        req.resume()
        writeReply(rec.method, res, faultReply(fault), undefined)
        return
      }
      forward(req, res, rec, fault, taken && fault && isBodyOnly(fault) ? taken.undo : undefined)
    })()
  })
  const port = await listen(server)
  proxyOrigin = `http://127.0.0.1:${port}`
  const webRequests: RecordedRequest[] = []
  const web = createServer((req, res) => {
    const { rec } = record(req, 'redirect')
    webRequests.push(rec)
    req.resume()
    rec.status = opts.webStatus ?? 429
    res.writeHead(rec.status, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '60' })
    res.end('<!DOCTYPE html><html><head><title>Too many requests</title></head><body><h1>Whoa there!</h1></body></html>\n')
  })
  const webPort = await listen(web)

  return {
    url: proxyOrigin,
    host: `127.0.0.1:${port}`,
    addFault: f => faults.add(f),
    clearFaults: () => faults.clear(),
    requests,
    webUrl: `http://127.0.0.1:${webPort}`,
    webRequests,
    close: async () => {
      delays.clear()
      await closeServer(web)
      await closeServer(server)
      agent.destroy()
    }
  }
}
