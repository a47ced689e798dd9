/**
 * The private part's inputs as src/inputs.ts validates them (its private section), with no I/O and
 * no age code: `private` / `private-file` need `recipients` (and recipients need something to
 * encrypt), and each recipient has the shape of an age recipient (the library checks its key
 * before anything is written: src/private/age.ts).
 */
import type { z } from 'zod'
import { splitList } from '../input-fields.js'

/**
 * An age recipient as age-keygen prints it: bech32 in lower case with the human-readable part `age`,
 * or `age1pq`, `age1tag`, `age1tagpq` (post-quantum and hardware-key recipients), then `1` and data.
 */
const RECIPIENT = /^age1(?:pq1|tag1|tagpq1)?[02-9ac-hj-np-z]+$/
/** Recipients for one document: each adds a header stanza (a post-quantum one over 1 KiB) to the document in the annotations. */
export const MAX_RECIPIENTS = 64

/** The recipients, one per line or comma separated; `#` lines are comments, as in age's recipients files. */
function recipientList(s: string | undefined): string[] {
  return splitList(s).filter(x => !x.startsWith('#'))
}

export function privateRules(
  f: { private?: string | undefined; 'private-file'?: string | undefined; recipients?: string | undefined; identity?: string | undefined },
  ctx: z.RefinementCtx
) {
  const issue = (message: string) => ctx.addIssue({ code: 'custom', message })
  // the private input is kept as given (its text is the secret): only whether it is there is judged here
  const privateFile = f['private-file']
  const recipients = recipientList(f.recipients)
  const sealing = f.private !== undefined || privateFile !== undefined
  if (sealing && recipients.length === 0)
    issue('input private needs recipients: the age public keys it is encrypted for. Give recipients (age1…, one per line), or leave private out')
  if (!sealing && recipients.length > 0)
    issue('input recipients is given but there is nothing to encrypt for them. Give private or private-file, or leave recipients out')
  if (recipients.length > MAX_RECIPIENTS) issue(`input recipients: ${recipients.length} recipients is more than the ${MAX_RECIPIENTS} allowed`)
  for (const [i, rc] of recipients.entries()) {
    if (!RECIPIENT.test(rc))
      issue(
        `recipients: entry ${i + 1} (${rc.length > 24 ? `${rc.slice(0, 20)}…` : rc}) is not an age recipient. Give age public keys as age-keygen prints them (age1…); SSH keys are not supported`
      )
  }
  return { private: f.private, privateFile, recipients, identity: f.identity }
}
