/**
 * Metadata written under another annotation-prefix: found, so that a reader can name it instead of
 * saying only that nothing is there.
 */
import { ANNOTATION_PREFIX_PATTERN } from './codec.js'

/**
 * Prefixes under which other annotations carry a document (a `<p>.version` key beside `<p>` or
 * `<p>.layer`, and `<p>.digest`): metadata written with another annotation-prefix, to name it.
 */
export function documentPrefixesIn(annotations: Record<string, string> | undefined, except?: string): string[] {
  const out: string[] = []
  for (const key of Object.keys(annotations ?? {})) {
    if (!key.endsWith('.version')) continue
    const p = key.slice(0, -'.version'.length)
    const a = annotations as Record<string, string>
    if (p !== except && ANNOTATION_PREFIX_PATTERN.test(p) && a[`${p}.digest`] !== undefined && (a[p] !== undefined || a[`${p}.layer`] === 'true')) out.push(p)
  }
  return out.sort()
}

/** Why annotations hold no document under `prefix`, naming a prefix that does hold one. */
export function noDocumentProblem(annotations: Record<string, string> | undefined, prefix: string): string {
  const other = documentPrefixesIn(annotations, prefix)
  if (!other.length) return 'it carries no metadata annotations'
  return (
    `it carries no metadata annotations under ${prefix}, but carries metadata under ${other.join(', ')}: ` + `give annotation-prefix: ${other[0]} to read it`
  )
}
