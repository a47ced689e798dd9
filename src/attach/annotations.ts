/**
 * Annotations mode: the encoded document goes into the image's own manifest (or index). Only the
 * `annotations` member changes; every other field is kept as parsed, in its order, and the original
 * indentation style is kept. The digest changes, so signatures and referrers of the old digest do not
 * follow: callers say so plainly.
 */
import { MAX_MANIFEST_BYTES } from '../oci/limits.js'
import { UsageError } from '../errors.js'
import { encodeDocument } from '../metadata/codec.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { digestOf } from '../oci/digest.js'
import type { Descriptor } from '../oci/types.js'

export interface AnnotatedManifest {
  bytes: Uint8Array
  descriptor: Descriptor
  annotations: Record<string, string>
  documentDigest: string
}

function indentOf(text: string): string | number {
  const m = /^\{\s*\n([ \t]+)"/.exec(text)
  return m ? (m[1] as string) : 0
}

/**
 * Add our annotations to manifest bytes; replace the ones a previous run of ours left (under our
 * prefix, and the extra keys it recorded in `<prefix>.extra-keys`). An annotation the image already
 * had is never overwritten: its own `org.opencontainers.image.created` stays (ours is in the
 * document), and an extra annotation that would change one of the image's own is refused.
 */
export function annotateManifest(
  original: Uint8Array,
  mediaType: string,
  doc: BuildMetadata,
  opts: { prefix: string; extra: Record<string, string> }
): AnnotatedManifest {
  const text = new TextDecoder().decode(original)
  const obj = JSON.parse(text) as Record<string, unknown>
  // the whole manifest must fit in 4 MiB: let the document take what the manifest leaves
  const room = MAX_MANIFEST_BYTES - original.length - 4096
  const enc = encodeDocument(doc, { prefix: opts.prefix, maxInlineBytes: Math.max(0, room) })
  if (!enc.inline) {
    throw new UsageError(
      `the metadata document (${enc.canonical.length} bytes) does not fit in the image manifest under the ${MAX_MANIFEST_BYTES / 1048576} MiB limit`,
      { hint: 'use mode: artifact, which stores large documents as a blob' }
    )
  }
  const previous = (obj.annotations as Record<string, string> | undefined) ?? {}
  const extraKeysKey = `${opts.prefix}.extra-keys`
  const oursBefore = new Set((previous[extraKeysKey] ?? '').split(',').filter(Boolean))
  const kept = Object.fromEntries(Object.entries(previous).filter(([k]) => k !== opts.prefix && !k.startsWith(`${opts.prefix}.`) && !oursBefore.has(k)))
  for (const [k, v] of Object.entries(opts.extra)) {
    if (kept[k] !== undefined && kept[k] !== v) {
      throw new UsageError(
        `annotations: the image already has ${k}=${JSON.stringify(kept[k]!.slice(0, 80))}, and annotations mode never overwrites the image's own annotations`,
        { hint: `drop ${k} from annotations, or use a key of your own` }
      )
    }
  }
  const extraKeys = Object.keys(opts.extra)
    .filter(k => kept[k] === undefined)
    .sort()
  const annotations = { ...kept, ...opts.extra, ...enc.annotations, ...(extraKeys.length ? { [extraKeysKey]: extraKeys.join(',') } : {}) }
  obj.annotations = annotations
  const indent = indentOf(text)
  const out = JSON.stringify(obj, null, indent) + (text.endsWith('\n') ? '\n' : '')
  const bytes = new TextEncoder().encode(out)
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new UsageError(`the annotated manifest would be ${bytes.length} bytes, over the ${MAX_MANIFEST_BYTES / 1048576} MiB limit registries enforce`, {
      hint: 'use mode: artifact'
    })
  }
  return { bytes, descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length }, annotations, documentDigest: enc.documentDigest }
}
