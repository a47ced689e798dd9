/**
 * The private part, sealed and opened with age (https://age-encryption.org/v1) through
 * `age-encryption`, the TypeScript implementation by age's author: no cryptography of ours. The
 * ciphertext is ASCII-armored, so the `age` CLI, rage and any other age implementation decrypt it
 * (`age -d -i key.txt`). This module is the only one that imports age-encryption, and it is loaded
 * only when a private part is sealed or opened (a dynamic import: its own chunk of dist/).
 *
 * Recipients and identities are the library's: X25519 (`age1…` / `AGE-SECRET-KEY-1…`), the
 * post-quantum hybrid ML-KEM-768 + X25519 (`age1pq1…` / `AGE-SECRET-KEY-PQ-1…`), and, to encrypt
 * only, the tag recipients of hardware keys (`age1tag1…`, `age1tagpq1…`, decrypted by their age
 * plugin). SSH keys and plugin identities are not supported by the library, so not here either.
 */
import { armor, Decrypter, Encrypter, identityToRecipient } from 'age-encryption'
import { UsageError } from '../errors.js'
import type { PrivatePart } from '../metadata/schema.js'
import type { IdentitySource } from './plaintext.js'

// This chunk imports nothing of the main bundle but errors.js (which the Sigstore chunks import too):
// a module imported from a chunk cannot be scope-hoisted into dist/bundle.js, and every one that is
// not costs the start-up of every command. The callers mask what it returns (src/private/open.ts).

/** An age recipient for messages: public, but long; the first characters name it. */
const short = (r: string) => (r.length > 24 ? `${r.slice(0, 20)}…` : r)

/** Every recipient, checked by the library (bech32 and its checksum, the key's length); a bad one is a usage error naming it. */
function encrypterFor(recipients: string[]): Encrypter {
  const e = new Encrypter()
  for (const [i, r] of recipients.entries()) {
    try {
      e.addRecipient(r)
    } catch (err) {
      throw new UsageError(`recipients: entry ${i + 1} (${short(r)}) is not an age recipient (${(err as Error).message})`, {
        hint: 'give age public keys as age-keygen prints them (age1…, or age1pq1… for post-quantum keys), one per line'
      })
    }
  }
  return e
}

/** Encrypt the private fields' canonical JSON for every recipient: the ASCII-armored age file. */
export async function sealPrivate(plaintext: string, recipients: string[]): Promise<string> {
  const e = encrypterFor(recipients)
  let bytes: Uint8Array
  try {
    bytes = await e.encrypt(plaintext)
  } catch (err) {
    // e.g. post-quantum and classic recipients together, which age refuses
    throw new UsageError(`recipients: age cannot encrypt for these recipients together (${(err as Error).message})`, {
      hint: 'give recipients of one kind: all age1… or all age1pq1…'
    })
  }
  return armor.encode(bytes)
}

/** The identities, each checked by the library; a bad one names its source and line, never the key. */
export async function checkIdentities(sources: IdentitySource[]): Promise<Decrypter> {
  const d = new Decrypter()
  for (const s of sources) {
    for (const [i, line] of s.lines.entries()) {
      try {
        await identityToRecipient(line)
        d.addIdentity(line)
      } catch {
        throw new UsageError(`${s.from}: entry ${i + 1} is not an age identity`, {
          hint: 'give AGE-SECRET-KEY-1… (or AGE-SECRET-KEY-PQ-1…) lines as age-keygen writes them; SSH keys and plugin identities are not supported'
        })
      }
    }
  }
  return d
}

export type Opened = { plaintext: Record<string, unknown>; text: string } | { problem: string; noMatch: boolean }

/**
 * Decrypt a private part; the caller masks the plaintext before anything else sees it. A part that
 * no identity opens is `noMatch` (age: "no identity matched any of the file's recipients").
 */
export async function openPrivate(part: PrivatePart, decrypter: Decrypter): Promise<Opened> {
  let text: string
  try {
    text = await decrypter.decrypt(armor.decode(part.ciphertext), 'text')
  } catch (err) {
    const message = (err as Error).message
    if (/no identity matched/.test(message)) return { noMatch: true, problem: 'no identity given matches a recipient of the private part' }
    return { noMatch: false, problem: `the private part cannot be decrypted (${message})` }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { noMatch: false, problem: 'the private part decrypts to something that is not JSON' }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { noMatch: false, problem: 'the private part decrypts to JSON that is not an object' }
  return { plaintext: value as Record<string, unknown>, text }
}
