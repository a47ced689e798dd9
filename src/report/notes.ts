/**
 * Sentences every report shares, built from the result's fields (never looked up by position in a
 * list of notes).
 */
import type { AttachResult, DigestChange } from '../result.js'

/** Annotations mode moved the image to a new digest: what follows from it. */
export function digestChangeNote(c: DigestChange): string {
  return (
    `the image digest changed from ${c.from} to ${c.to}: signatures, attestations and referrers of the old digest do not follow it; ` +
    'deploy by the new digest'
  )
}

/** Annotations mode's one line for every report: where the tag moved, then what the digest change means. */
export function annotationsNote(r: AttachResult): string | undefined {
  return [r.tagMove, r.digestChange ? digestChangeNote(r.digestChange) : undefined].filter(Boolean).join('; ') || undefined
}
