/**
 * User fields from the `metadata` / `metadata-file` inputs: a JSON object, stored under `user` in the
 * document. Anything that looks like a secret is refused, never redacted silently: a user who put a
 * token there should learn it, and the value is never echoed back (logs are public too).
 */
import { UsageError } from '../errors.js'
import { findSecrets, secretRefusal } from './secrets.js'

/**
 * User metadata beyond this is not build metadata but data: attach it as its own artifact. Kept well
 * under MAX_INLINE_DOCUMENT_BYTES' neighbourhood so an ordinary document still fits in annotations.
 */
export const MAX_USER_METADATA_BYTES = 256 * 1024
/** Nesting deeper than this is refused: nobody's build facts are 32 levels deep, and it bounds recursion. */
export const MAX_USER_METADATA_DEPTH = 32

export function parseUserMetadata(text: string, source: string): Record<string, unknown> {
  const value = parseJsonObject(text, source)
  const refusal = secretRefusal(findSecrets(value), source, { readable: 'metadata is', hint: 'remove these fields, or rename a harmless one' })
  if (refusal) throw refusal
  return value
}

/**
 * A JSON object given as text, within the size and depth limits above, or a UsageError that never
 * quotes the text. What is published is checked for secrets by the caller (parseUserMetadata); the
 * private part (src/private/plaintext.ts) is not: it is encrypted.
 */
export function parseJsonObject(text: string, source: string): Record<string, unknown> {
  const size = Buffer.byteLength(text, 'utf8')
  if (size > MAX_USER_METADATA_BYTES) {
    throw new UsageError(`${source}: ${size} bytes of metadata is more than the ${MAX_USER_METADATA_BYTES} allowed`, {
      hint: 'keep build facts small and attach bulk data as its own artifact'
    })
  }
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    // JSON.parse's message may quote the input; give only the position
    const pos = /position (\d+)/.exec((e as Error).message)?.[1]
    throw new UsageError(`${source}: not valid JSON${pos ? ` (error at character ${pos})` : ''}`, { hint: 'give a JSON object, e.g. {"team": "platform"}' })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
    throw new UsageError(`${source}: expected a JSON object, got ${kind}`, { hint: 'give e.g. {"team": "platform"}' })
  }
  if (depthOf(value) > MAX_USER_METADATA_DEPTH) {
    throw new UsageError(`${source}: nested deeper than ${MAX_USER_METADATA_DEPTH} levels`)
  }
  return value as Record<string, unknown>
}

function depthOf(v: unknown, d = 0): number {
  if (d > MAX_USER_METADATA_DEPTH || v === null || typeof v !== 'object') return d
  let max = d + 1
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    max = Math.max(max, depthOf(x, d + 1))
    if (max > MAX_USER_METADATA_DEPTH) break
  }
  return max
}
