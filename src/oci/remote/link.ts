/**
 * `Link` header pagination for the referrers and tags APIs.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 * https://www.rfc-editor.org/rfc/rfc8288#section-3 (Link grammar)
 */

/**
 * The `rel="next"` target of a `Link` header, resolved against the URL of the request that
 * returned it. Accepts `rel=next` unquoted (some registries) and several links in one header.
 * Returns undefined when there is no next page or the target is not a valid URL.
 */
export function parseNextLink(header: string | null | undefined, requestUrl: string): string | undefined {
  if (!header) return undefined
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g
  for (const m of header.matchAll(re)) {
    const target = m[1]!
    const params = m[2] ?? ''
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params)
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)
    if (!rels.includes('next')) continue
    try {
      return new URL(target, requestUrl).toString()
    } catch {
      return undefined
    }
  }
  return undefined
}

export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
