/**
 * Scripted faults, shared by the test registry and the fault proxy. Checked before serving, in
 * insertion order; the first match wins and is consumed (`times`, default 1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Fault } from './types.js'
import type { Reply } from './reply.js'

export class FaultList {
  private readonly list: Array<{ fault: Fault; left: number }> = []

  add(f: Fault): void {
    this.list.push({ fault: f, left: f.times ?? 1 })
  }

  clear(): void {
    this.list.length = 0
  }

  /** The first fault matching the request, consumed once; undefined when none applies. */
  take(method: string, path: string): Fault | undefined {
    return this.takeUndoable(method, path)?.fault
  }

  /**
   * Like take, with a way to give the fault back (to its place) when it turned out not to apply:
   * a body fault on an answer without a body (a 307, a 201, a HEAD) must not be wasted.
   */
  takeUndoable(method: string, path: string): { fault: Fault; undo(): void } | undefined {
    for (let i = 0; i < this.list.length; i++) {
      const e = this.list[i] as { fault: Fault; left: number }
      const m = e.fault.match
      if (m?.method && m.method.toUpperCase() !== method.toUpperCase()) continue
      if (m?.path) {
        m.path.lastIndex = 0
        if (!m.path.test(path)) continue
      }
      e.left--
      const removed = e.left <= 0
      if (removed) this.list.splice(i, 1)
      const at = i
      return {
        fault: e.fault,
        undo: () => {
          e.left++
          if (removed) this.list.splice(Math.min(at, this.list.length), 0, e)
        }
      }
    }
    return undefined
  }
}

/** A fault that only alters a body, and so only applies when there is one. */
export function isBodyOnly(f: Fault): boolean {
  return (f.truncateBody || f.corruptBody) === true && f.status === undefined && !f.resetConnection && !f.delayMs
}

/** Timers of delayed answers, so close() does not wait for them. */
export class Delays {
  private readonly timers = new Set<NodeJS.Timeout>()
  wait(ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(() => {
        this.timers.delete(t)
        resolve()
      }, ms)
      this.timers.add(t)
    })
  }
  clear(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }
}

/** Destroy the connection, after the first chunk of a request body if one is coming. */
export function resetConnection(req: IncomingMessage): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined
  if (!hasBody || req.readableEnded) {
    req.socket.destroy()
    return
  }
  req.once('data', () => req.socket.destroy())
  req.once('end', () => req.socket.destroy())
}

/** The answer a fault gives in place of serving. */
export function faultReply(f: Fault): Reply {
  const body = f.body !== undefined ? new TextEncoder().encode(f.body) : new Uint8Array(0)
  return { status: f.status as number, headers: { ...(f.headers ?? {}) }, body }
}

/**
 * Write a reply, applying a fault's body modes. HEAD sends headers only. A truncated body is sent
 * with the full Content-Length and the connection is then destroyed, so the client sees it end early.
 */
export function writeReply(method: string, res: ServerResponse, reply: Reply, fault: Fault | undefined): void {
  let body = reply.body ?? new Uint8Array(0)
  const headers: Record<string, string> = { ...reply.headers }
  const hasLength = Object.keys(headers).some(k => k.toLowerCase() === 'content-length')
  if (!hasLength || (reply.body && reply.body.length > 0)) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') delete headers[k]
    headers['Content-Length'] = String(body.length)
  }
  if (fault?.corruptBody && body.length > 0) {
    body = new Uint8Array(body)
    const i = Math.floor(body.length / 2)
    body[i] = (body[i] as number) ^ 0xff
  }
  res.writeHead(reply.status, headers)
  if (method === 'HEAD') {
    res.end()
    return
  }
  if (fault?.truncateBody && body.length > 0) {
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
    return
  }
  res.end(body)
}
