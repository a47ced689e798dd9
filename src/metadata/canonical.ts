/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
 * `JSON.stringify` writes them. That is the JSON Canonicalization Scheme (RFC 8785,
 * https://www.rfc-editor.org/rfc/rfc8785) for the values a metadata document holds, so any JCS
 * implementation reproduces the bytes the document digest is computed over.
 */
export function canonicalJson(value: unknown): string {
  return write(value)
}

function write(v: unknown): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v)
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`canonical JSON cannot hold the number ${v}`)
      return JSON.stringify(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'object': {
      if (Array.isArray(v)) return `[${v.map(x => (x === undefined || typeof x === 'function' ? 'null' : write(x))).join(',')}]`
      const o = v as Record<string, unknown>
      if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return write((o as { toJSON: () => unknown }).toJSON())
      const keys = Object.keys(o)
        .filter(k => o[k] !== undefined && typeof o[k] !== 'function')
        .sort()
      return `{${keys.map(k => `${JSON.stringify(k)}:${write(o[k])}`).join(',')}}`
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof v}`)
  }
}
