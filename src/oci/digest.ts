/**
 * Digests: content is addressed by the digest of its exact bytes.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { OciError } from '../errors.js'

/** Registered algorithms and the length of their hex encoding. sha512 is accepted when reading. */
export const DIGEST_ALGORITHMS: Record<string, number> = { sha256: 64, sha512: 128 }

/** The general grammar of the spec; registered algorithms are checked further in `parseDigest`. */
export const DIGEST_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/

export interface ParsedDigest {
  algorithm: string
  hex: string
}

export function parseDigest(digest: string): ParsedDigest {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest)
  if (!m) throw new OciError('INVALID_REFERENCE', `invalid digest "${digest}": expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>`)
  const [, algorithm, hex] = m as unknown as [string, string, string]
  const len = DIGEST_ALGORITHMS[algorithm]
  if (len === undefined) {
    throw new OciError('INVALID_REFERENCE', `unsupported digest algorithm "${algorithm}" in "${digest}"`, { hint: 'use sha256 (or sha512)' })
  }
  if (hex.length !== len || !/^[a-f0-9]+$/.test(hex)) {
    throw new OciError('INVALID_REFERENCE', `invalid digest "${digest}": ${algorithm} needs ${len} lowercase hex digits`)
  }
  return { algorithm, hex }
}

export function isDigest(s: string): boolean {
  try {
    parseDigest(s)
    return true
  } catch {
    return false
  }
}

export function newHash(algorithm = 'sha256'): Hash {
  return createHash(algorithm)
}

export function digestOf(bytes: Uint8Array | string, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
}

/** Hash a file by streaming it: never holds the file in memory. */
export async function digestFile(path: string, algorithm = 'sha256'): Promise<{ digest: string; size: number }> {
  const hash = createHash(algorithm)
  let size = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { digest: `${algorithm}:${hash.digest('hex')}`, size }
}

/**
 * Check bytes against the digest they were fetched by. Throws DIGEST_MISMATCH: a registry (or a
 * layout) that returns other bytes than it was asked for must not be believed.
 */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  const { algorithm } = parseDigest(expected)
  const actual = digestOf(bytes, algorithm)
  if (actual !== expected) {
    throw new OciError('DIGEST_MISMATCH', `${what}: content does not match its digest (expected ${expected}, got ${actual})`, {
      hint:
        'the registry (or a proxy in between) returned other bytes than were asked for; retry, and if it persists, check the proxy or report it to the ' +
        'registry operator'
    })
  }
}
