/**
 * Value parsers of single inputs, with no rule that spans inputs: the matrix leg, durations
 * (max-age), a one-line check. src/inputs.ts calls them inside its one schema.
 */
import type { z } from 'zod'
import { canonicalJson } from './metadata/canonical.js'

type Ctx = z.RefinementCtx
/** One problem with an input, as a zod issue (the message is the line the user sees). */
export const issue = (ctx: Ctx, message: string) => ctx.addIssue({ code: 'custom', message })

/**
 * The matrix leg as the runner passes it (`toJSON(matrix)`: indented JSON, `null` outside a matrix),
 * reduced to canonical JSON so that formatting never changes a writer's identity.
 */
export function parseMatrix(text: string | undefined, ctx: z.RefinementCtx): string | undefined {
  const s = (text ?? '').trim()
  if (!s || s === 'null') return undefined
  try {
    const v: unknown = JSON.parse(s)
    if (v === null) return undefined
    return canonicalJson(v)
  } catch {
    issue(ctx, 'input matrix must be JSON, as ${{ toJSON(matrix) }} gives it. Leave it unset and the action fills it in')
    return undefined
  }
}

/** Durations like 90d, 12h, 30m, 45s, or plain seconds; a sign is not part of one (see maxAge). */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(s.trim())
  if (!m) return undefined
  const n = Number(m[1])
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w']
  return n * unit * 1000
}

/**
 * max-age: a positive duration. Zero is refused rather than given a meaning: every document is some
 * time old, so `0` (or `0s`) would fail every gate, which no one means.
 */
export function maxAge(raw: string | undefined, ctx: Ctx): number | undefined {
  const t = (raw ?? '').trim()
  if (!t) return undefined
  if (/^-\s*\d/.test(t)) {
    issue(ctx, `input max-age must be positive, got "${t}". Give how old the metadata may be, e.g. 90d, 12h or 30m`)
    return undefined
  }
  const ms = parseDuration(t)
  if (ms === undefined) issue(ctx, `input max-age must be a duration like 90d, 12h or 30m, got "${t}"`)
  else if (ms === 0) issue(ctx, `input max-age must be more than 0, got "${t}": every document is older than that. Give e.g. 90d, 12h or 30m`)
  return ms || undefined
}

/** A control character (C0 or DEL): a writer-id must be one printable line. */
export function hasControlCharacter(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}
