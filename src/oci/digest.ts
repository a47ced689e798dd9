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

/**
 * What is wrong with `digest`, if anything: `reason` says it without repeating the digest, for
 * messages that name it already (an image reference); `hint` says what to do.
 */
export function digestProblem(digest: string): DigestProblem | undefined {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest)
  if (!m) return { kind: 'syntax', reason: 'expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>' }
  const [, algorithm, hex] = m as unknown as [string, string, string]
  const len = DIGEST_ALGORITHMS[algorithm]
  if (len === undefined) return { kind: 'algorithm', reason: `unsupported digest algorithm "${algorithm}" in "${digest}"`, hint: 'use sha256 (or sha512)' }
  if (hex.length !== len || !/^[a-f0-9]+$/.test(hex)) return { kind: 'length', reason: `${algorithm} needs ${len} lowercase hex digits` }
  return undefined
}

export interface DigestProblem {
  kind: 'syntax' | 'algorithm' | 'length'
  reason: string
  hint?: string
}

export function parseDigest(digest: string): ParsedDigest {
  const problem = digestProblem(digest)
  if (problem) {
    // the algorithm's reason names the digest already
    const message = problem.kind === 'algorithm' ? problem.reason : `invalid digest "${digest}": ${problem.reason}`
    throw new OciError('INVALID_REFERENCE', message, problem.hint ? { hint: problem.hint } : {})
  }
  const colon = digest.indexOf(':')
  return { algorithm: digest.slice(0, colon), hex: digest.slice(colon + 1) }
}

export function isDigest(s: string): boolean {
  return digestProblem(s) === undefined
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
