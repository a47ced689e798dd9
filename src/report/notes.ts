/**
 * Sentences every report shares, built from the result's fields (never looked up by position in a
 * list of notes).
 */
import type { AttachResult, Candidate, Result } from '../result.js'

/** Annotations mode moved the image to a new digest: what follows from it. */
export function digestChangeNote(from: string, to: string): string {
  return `the image digest changed from ${from} to ${to}: signatures, attestations and referrers of the old digest do not follow it; deploy by the new digest`
}

/** Annotations mode's one line for every report: where the tag moved, then what the digest change means. */
export function annotationsNote(r: AttachResult): string | undefined {
  const change = r.digestChanged && r.imageDigest ? digestChangeNote(r.subject.digest, r.imageDigest) : undefined
  return [r.tagMove, change].filter(Boolean).join('; ') || undefined
}

/** Every note of a result, in the order the reports give them: annotations mode's line first. */
export function notesOf(r: Result): string[] {
  const first = r.command === 'attach' ? annotationsNote(r) : undefined
  return [...(first ? [first] : []), ...r.notes]
}

/** Where get read from, in words. */
export const SOURCE_WORDS: Record<Candidate['source'], string> = {
  annotations: "the image's own annotations",
  'index-attestation': "BuildKit's attestation manifest",
  referrer: 'referrer'
}

/** The image or index itself, named by no scope; a platform is named. */
export const isTopScope = (scope: string): boolean => scope === 'image' || scope === 'index'
