/**
 * Bodies under an idle timeout: an upload counts each chunk sent as progress, an answer each chunk
 * read; answers are read up to a limit (more is dropped, not drained) or thrown away.
 */
import type { Readable } from 'node:stream'
import type { OciError } from '../../errors.js'
import type { Answer } from './dispatcher.js'

/** An abort signal that fires after `ms` without progress; `touch()` on each chunk. */
export class IdleTimer {
  readonly controller = new AbortController()
  timedOut = false
  private timer: NodeJS.Timeout | undefined
  private cleared = false
  constructor(private readonly ms: number) {
    this.touch()
  }
  touch(): void {
    if (this.cleared) return // a stream pulled after its answer came must not start a timer that holds the process open
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.controller.abort(new Error(`idle for ${this.ms} ms`))
    }, this.ms)
  }
  clear(): void {
    this.cleared = true
    if (this.timer) clearTimeout(this.timer)
  }
}

/** Wrap an upload stream so that each chunk sent counts as progress for the idle timer. */
export function withProgress(stream: ReadableStream<Uint8Array>, timer: IdleTimer): ReadableStream<Uint8Array> {
  const reader = stream.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      timer.touch()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    }
  })
}

/** Drop a body without reading it: the connection is closed (an error from it then is expected). */
function drop(body: Readable): void {
  body.on('error', () => {})
  body.destroy()
}

/** Read at most `max` bytes; more → `tooBig()` (the connection is dropped, not drained). */
export async function readCapped(res: Answer, max: number, timer: IdleTimer, tooBig: () => OciError): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > max) {
    drop(res.body)
    throw tooBig()
  }
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    timer.touch()
    total += chunk.length
    if (total > max) {
      drop(res.body)
      throw tooBig()
    }
    chunks.push(chunk)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** Throw the body away; a small one is read to the end so the connection can be reused. */
export async function discard(res: Answer): Promise<void> {
  const body = res.body as Readable & { dump?: (opts?: { limit: number }) => Promise<void> }
  if (body.dump) await body.dump({ limit: 64 * 1024 }).catch(() => {})
  else drop(body)
}
