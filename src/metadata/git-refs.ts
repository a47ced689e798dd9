/** Small pure helpers shared by the CI context readers. */
import type { RefType } from './schema.js'

/** `refs/heads/x` → branch, `refs/tags/x` → tag, `refs/pull/N/…` or `refs/merge-requests/N/…` → pull. */
export function refTypeOf(ref: string | undefined): RefType | undefined {
  if (!ref) return undefined
  if (ref.startsWith('refs/heads/')) return 'branch'
  if (ref.startsWith('refs/tags/')) return 'tag'
  if (ref.startsWith('refs/pull/') || ref.startsWith('refs/merge-requests/')) return 'pull'
  return 'other'
}

/** Short name of a ref: `refs/heads/feature/x` → `feature/x`, `refs/pull/7/merge` → `7/merge` (as GITHUB_REF_NAME). */
export function refNameOf(ref: string | undefined): string | undefined {
  if (!ref) return undefined
  const m = /^refs\/(?:heads|tags|pull|merge-requests)\/(.+)$/.exec(ref)
  return m ? m[1] : ref.replace(/^refs\//, '')
}

/** `T` as callers build it: any field may be undefined (or, nested, an object of such fields). */
export type Loose<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] | undefined : T[K] extends object ? Loose<T[K]> | undefined : T[K] | undefined
}

/**
 * Drop keys whose value is undefined or empty, so documents carry no `"x": ""` noise: a `T` built
 * with undefined fields comes out a `T` whose optional fields are absent, as exactOptionalPropertyTypes wants.
 */
export function compact<T extends object>(o: Loose<T>): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || v === null) continue
    if (typeof v === 'object' && !Array.isArray(v)) {
      const c = compact(v as object)
      if (Object.keys(c).length === 0) continue
      out[k] = c
    } else out[k] = v
  }
  return out as T
}
