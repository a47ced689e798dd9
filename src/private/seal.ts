/**
 * attach's private part: read, masked, and encrypted before anything is read from or written to the
 * registry (src/attach/prepare.ts), so a bad recipient or an unreadable private-file is exit 2 with
 * nothing written. The age code is loaded only here and only when there is something to seal.
 */
import { PRIVATE_PART_VERSION, type PrivatePart } from '../metadata/schema.js'
import { readPrivatePlaintext } from './plaintext.js'

export async function sealedPrivate(
  inputs: { private?: string | undefined; privateFile?: string | undefined; recipients: string[] },
  cwd: string
): Promise<PrivatePart | undefined> {
  const plaintext = await readPrivatePlaintext(inputs, cwd)
  if (plaintext === undefined) return undefined
  const { sealPrivate } = await import('./age.js')
  return { version: PRIVATE_PART_VERSION, format: 'age', ciphertext: await sealPrivate(plaintext, inputs.recipients) }
}
