/**
 * Reading the private part (verify and get): the identities are read and checked before any request
 * (an unreadable file or a key that is not one is exit 2), and the age code is loaded only when an
 * identity is given. The plaintext is masked the moment it exists (src/private/age.ts).
 */
import { OciError, UsageError } from '../errors.js'
import { addSecret } from '../log.js'
import { digestOf } from '../oci/digest.js'
import { privatePartOf, type BuildMetadata } from '../metadata/schema.js'
import type { Decrypter } from 'age-encryption'
import { IDENTITY_ENV, readIdentities } from './plaintext.js'
import type { Opened } from './age.js'

export interface Opener {
  /** how many identities were given, for the log */
  count: number
  open(doc: BuildMetadata): Promise<Opened>
  /** get: the plaintext or a one-line failure (exit 1) */
  openOrFail(doc: BuildMetadata, where: string): Promise<Extract<Opened, { text: string }>>
}

/** The identities given (`identity`, OCI_BUILD_METADATA_IDENTITY), checked; undefined when none is given. */
export async function identityOpener(file: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Promise<Opener | undefined> {
  const sources = await readIdentities(file, env, cwd)
  if (!sources.length) return undefined
  const age = await import('./age.js')
  const decrypter: Decrypter = await age.checkIdentities(sources)
  const none = { problem: 'the metadata document has no private part', noMatch: false }
  const open: Opener['open'] = async doc => {
    const part = privatePartOf(doc)
    if (!part) return none
    const opened = await age.openPrivate(part, decrypter)
    // masked the moment it exists: nothing between here and the decryption logs
    if ('text' in opened) addSecret(opened.text)
    return opened
  }
  return {
    count: sources.reduce((n, s) => n + s.lines.length, 0),
    open,
    openOrFail: async (doc, where) => {
      if (!privatePartOf(doc))
        throw new UsageError(`get: the metadata document of ${where} has no private part`, { hint: 'attach one with private and recipients' })
      const opened = await open(doc)
      // exit 1 in one line when no identity matches, as age exits
      if ('problem' in opened)
        throw new OciError('VERIFICATION_FAILED', `get: ${opened.problem} of ${where}`, {
          hint: opened.noMatch ? 'give the identity of one of the recipients it was encrypted for' : 're-run attach'
        })
      return opened
    }
  }
}

/** For messages: what to give when an identity is needed. */
export const IDENTITY_HINT = `give identity (an age identity file) or set ${IDENTITY_ENV}`

/** What get writes for the private part: the decrypted canonical JSON; its digest is the ciphertext's, not the plaintext's (a short plaintext's digest could be guessed). */
export function privateContent(doc: BuildMetadata, text: string): { mediaType: string; digest: string; size: number; bytes: Uint8Array } {
  const ciphertext = privatePartOf(doc)?.ciphertext ?? ''
  const bytes = new Uint8Array(Buffer.from(text, 'utf8'))
  return { mediaType: 'application/json', digest: digestOf(ciphertext), size: bytes.length, bytes }
}
