/**
 * Annotations mode moves a tag, and a tag moves only forward: from the subject the user named (the
 * digest given, or what the tag resolved to when the command started) to the annotated manifest.
 * When two pipelines push one tag, the tag may have moved on to a newer build meanwhile; pushing
 * under it then would take the tag back to the older build, and the next deploy of the tag would
 * ship the old code. So the tag is read right before the push and the push is refused unless it
 * still points at the subject (or at this tool's earlier annotation of that same image: a re-run).
 *
 * What remains: registries have no compare-and-swap on tags (the distribution spec defines none,
 * and distribution ignores `If-Match` on a manifest PUT), so a push by someone else between this
 * read and our PUT is overwritten. The window is one round trip; the read after the push
 * (src/attach/check.ts, checkAnnotated) reports a tag that someone moved after it.
 */
import { isOciError, OciError } from '../errors.js'
import { canonicalJson } from '../metadata/canonical.js'
import { decodeDocument } from '../metadata/codec.js'
import type { ImageRef } from '../oci/reference.js'
import type { Reader } from '../oci/target.js'
import type { Subject } from '../image-reader/resolve-subject.js'

export interface TagBefore {
  /** the digest the tag pointed at right before the push; undefined: the tag did not exist */
  digest?: string
}

/** The manifest as a JSON object; undefined when the bytes are not one. */
function parseObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const m = JSON.parse(new TextDecoder().decode(bytes)) as unknown
    return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The manifest without its annotations, as canonical JSON: what an annotation leaves unchanged. */
function withoutAnnotations(m: Record<string, unknown> | undefined): string | undefined {
  if (!m) return undefined
  const { annotations: _ignored, ...rest } = m
  return canonicalJson(rest)
}

/**
 * True when `bytes` is this tool's annotation of the subject: the same manifest apart from its
 * annotations, carrying a document (under `prefix`) that describes the subject's digest.
 */
function isOurAnnotationOf(bytes: Uint8Array, subject: Subject, prefix: string): boolean {
  try {
    const m = parseObject(bytes)
    if (!m || withoutAnnotations(m) !== withoutAnnotations(parseObject(subject.bytes))) return false
    const dec = decodeDocument((m.annotations ?? {}) as Record<string, string>, { prefix })
    return dec?.inline === true && dec.document.image.digest === subject.descriptor.digest
  } catch {
    // a number canonical JSON cannot hold (1e400), or annotations that are no document: not ours
    return false
  }
}

/**
 * Read `tag` right before the push and refuse (exit 1, nothing written) unless it still points at
 * the subject, or at our earlier annotation of it. A tag that does not exist is created only when the
 * user named the subject by digest; one that existed at the start and is gone has been moved.
 */
export async function guardTag(
  target: Reader,
  ref: ImageRef,
  tag: string,
  subject: Subject,
  opts: { prefix: string; digestNamed: boolean }
): Promise<TagBefore> {
  let now: { digest: string; bytes: Uint8Array } | undefined
  try {
    const got = await target.fetchManifest(tag)
    now = { digest: got.descriptor.digest, bytes: got.bytes }
  } catch (e) {
    if (!isOciError(e, 'NOT_FOUND')) throw e
  }
  const want = subject.descriptor.digest
  if (now === undefined && opts.digestNamed) return {}
  if (now && (now.digest === want || isOurAnnotationOf(now.bytes, subject, opts.prefix))) return { digest: now.digest }
  const where = now ? `now points at ${now.digest}` : 'no longer exists'
  throw new OciError(
    'CONFLICT',
    `annotations mode: tag ${tag} of ${target.describe()} ${where}, not at ${want}, the image being annotated; moving it would take ${tag} back ` +
      `to that image, so nothing was written`,
    {
      op: 'move tag',
      where: target.describe(),
      hint: `to annotate ${want} anyway, give image: ${ref.name}@${want} (pushed by digest, no tag moved) and tag the new digest yourself if you mean to`
    }
  )
}

/** One line for the output and the summary: where the tag went. */
export function tagMoveLine(tag: string, before: TagBefore, after: string): string {
  if (before.digest === undefined) return `tag ${tag} created at ${after}`
  if (before.digest === after) return `tag ${tag} stays at ${after}`
  return `tag ${tag} moved from ${before.digest} to ${after}`
}
