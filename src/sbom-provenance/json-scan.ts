/**
 * A streaming scan of a JSON object for a few scalar values at known paths (`spdxVersion`,
 * `metadata.component.name`), in bounded memory and one pass: SBOMs of hundreds of MiB exist, and
 * serializers that sort keys put `spdxVersion` after the whole `packages` array. It tracks structure
 * (objects, arrays, strings and their escapes) without building values and without validating the
 * grammar fully; the formats it is used on are then recognised from the values it found.
 */

/** Longest captured key or value; longer ones are dropped (no SBOM names a version in 4 KiB). */
export const MAX_CAPTURE_BYTES = 4096

const QUOTE = 0x22
const BACKSLASH = 0x5c

interface Frame {
  array: boolean
  key?: string | undefined
  /** dotted path of this object when a wanted path may lie under it; undefined: nothing to find inside */
  path?: string | undefined
}

export class JsonPathScanner {
  readonly found = new Map<string, string>()
  /** false once the first significant byte is not `{` */
  isObject: boolean | undefined
  private readonly wanted: Set<string>
  /** paths of objects that contain a wanted path: `metadata`, `metadata.component` */
  private readonly prefixes = new Set<string>()
  private readonly stack: Frame[] = []
  private expectKey = false
  private inString = false
  private escape = false
  private stringIsKey = false
  private capture: number[] | undefined
  private captureOverflow = false
  private scalar: number[] | undefined
  private scalarPath: string | undefined
  private rootClosed = false
  /** where the next backslash of the current buffer is: -2 unknown, -1 none */
  private nextBackslash = -2

  constructor(paths: string[]) {
    this.wanted = new Set(paths)
    for (const p of paths) {
      const parts = p.split('.')
      for (let i = 1; i < parts.length; i++) this.prefixes.add(parts.slice(0, i).join('.'))
    }
  }

  /** All wanted values found, or nothing more to find: stop feeding. */
  get done(): boolean {
    return this.isObject === false || this.rootClosed || this.found.size === this.wanted.size
  }

  /** Feed the next bytes of the document. */
  write(buf: Uint8Array): void {
    this.nextBackslash = -2
    let i = 0
    while (i < buf.length && !this.done) {
      if (this.inString) {
        i = this.stringBytes(buf, i)
        if (i < 0) return
        continue
      }
      if (!this.structural(buf[i++]!)) return
    }
  }

  /** Inside a string from `i`: the index after what was taken, or -1 when the buffer is used up. */
  private stringBytes(buf: Uint8Array, i: number): number {
    const n = buf.length
    if (this.capture === undefined && !this.escape) {
      // skip ahead: only a quote or a backslash matters inside a string we do not keep
      const q = buf.indexOf(QUOTE, i)
      if (this.nextBackslash !== -1 && this.nextBackslash < i) this.nextBackslash = buf.indexOf(BACKSLASH, i)
      const b = this.nextBackslash
      const stop = q === -1 ? (b === -1 ? n : b) : b === -1 ? q : Math.min(q, b)
      if (stop >= n) return -1
      i = stop
    }
    const c = buf[i]!
    if (this.escape) this.escape = false
    else if (c === BACKSLASH) this.escape = true
    else if (c === QUOTE) {
      this.inString = false
      this.endString()
      return i + 1
    }
    if (this.capture) {
      if (this.capture.length < MAX_CAPTURE_BYTES) this.capture.push(c)
      else this.captureOverflow = true
    }
    return i + 1
  }

  /** One byte outside strings; false when the document is not an object (nothing to scan). */
  private structural(c: number): boolean {
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      this.endScalar()
      return true
    }
    if (this.isObject === undefined) {
      if (c === 0xef || c === 0xbb || c === 0xbf) return true // UTF-8 byte order mark
      this.isObject = c === 0x7b
      if (!this.isObject) return false
    }
    if (c === 0x7b || c === 0x5b)
      this.open(c === 0x5b) // { [
    else if (c === 0x7d || c === 0x5d)
      this.close() // } ]
    else if (c === 0x2c)
      this.comma() // ,
    else if (c === 0x3a)
      this.expectKey = false // :
    else if (c === QUOTE) this.startString()
    else this.scalarByte(c) // part of a number, true, false or null
    return true
  }

  private open(array: boolean): void {
    this.stack.push(array ? { array: true, path: undefined } : { array: false, path: this.childPath() })
    this.expectKey = !array
  }

  private close(): void {
    this.endScalar()
    this.stack.pop()
    this.expectKey = false
    if (this.stack.length === 0) this.rootClosed = true
  }

  private comma(): void {
    this.endScalar()
    const top = this.stack[this.stack.length - 1]
    if (top && !top.array) {
      top.key = undefined
      this.expectKey = true
    }
  }

  private startString(): void {
    this.inString = true
    this.escape = false
    this.captureOverflow = false
    const top = this.stack[this.stack.length - 1]
    this.stringIsKey = this.expectKey && top !== undefined && !top.array
    // keys matter only in objects on the way to a wanted path (not in `packages[*]`)
    const keep = this.stringIsKey ? top!.path !== undefined : this.currentPath() !== undefined
    this.capture = keep ? [QUOTE] : undefined
  }

  private scalarByte(c: number): void {
    if (this.scalar === undefined) {
      const p = this.currentPath()
      if (p === undefined) return
      this.scalar = []
      this.scalarPath = p
    }
    if (this.scalar.length < 64) this.scalar.push(c)
  }

  /** The dotted path of the value about to start, when it is a wanted one. */
  private currentPath(): string | undefined {
    const top = this.stack[this.stack.length - 1]
    if (!top || top.array || top.path === undefined || top.key === undefined) return undefined
    const p = top.path === '' ? top.key : `${top.path}.${top.key}`
    return this.wanted.has(p) && !this.found.has(p) ? p : undefined
  }

  /** The path of an object about to start, when something wanted may lie inside it. */
  private childPath(): string | undefined {
    const top = this.stack[this.stack.length - 1]
    if (!top) return ''
    if (top.array || top.path === undefined || top.key === undefined) return undefined
    const p = top.path === '' ? top.key : `${top.path}.${top.key}`
    return this.prefixes.has(p) ? p : undefined
  }

  private endString(): void {
    const raw = this.capture
    this.capture = undefined
    if (!raw || this.captureOverflow) {
      if (this.stringIsKey) this.setKey('\u0000overflow')
      return
    }
    let s: string
    if (!raw.includes(BACKSLASH)) s = Buffer.from(raw.slice(1)).toString('utf8')
    else {
      raw.push(QUOTE)
      try {
        s = JSON.parse(Buffer.from(raw).toString('utf8')) as string
      } catch {
        return
      }
    }
    if (this.stringIsKey) this.setKey(s)
    else {
      const p = this.currentPath()
      if (p !== undefined) this.found.set(p, s)
    }
  }

  private setKey(k: string): void {
    const top = this.stack[this.stack.length - 1]
    if (top) top.key = k
    this.expectKey = false
  }

  private endScalar(): void {
    if (this.scalar === undefined) return
    const text = Buffer.from(this.scalar).toString('latin1')
    if (this.scalarPath !== undefined && /^-?\d/.test(text)) this.found.set(this.scalarPath, text)
    this.scalar = undefined
    this.scalarPath = undefined
  }
}
