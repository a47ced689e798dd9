/**
 * The contract's outputs, as strings, from a Result. Pure: the action sets them, the CLI prints them
 * with --json.
 */
import type { Result } from '../result.js'

export function outputsOf(r: Result): Record<string, string> {
  const out: Record<string, string> = {
    'subject-digest': r.subject.digest,
    verified: String(r.verified),
    referrers: JSON.stringify(r.referrers),
    missing: JSON.stringify(r.missing)
  }
  if (r.artifactDigest) out['artifact-digest'] = r.artifactDigest
  if (r.imageDigest) out['image-digest'] = r.imageDigest
  if (r.metadata) out.metadata = JSON.stringify(r.metadata)
  if (r.annotations) out.annotations = JSON.stringify(r.annotations)
  return out
}

/** `--json`: the outputs as one object, with JSON-valued outputs parsed (not strings of JSON). */
export function jsonReport(r: Result): Record<string, unknown> {
  const o = outputsOf(r)
  const parsed: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if (k === 'verified') parsed[k] = v === 'true'
    else if (['referrers', 'missing', 'metadata', 'annotations'].includes(k)) parsed[k] = JSON.parse(v)
    else parsed[k] = v
  }
  parsed.command = r.command
  parsed.mode = r.mode
  parsed.image = r.image.original
  if (r.via) parsed.via = r.via
  if (r.attachments.length) parsed.attachments = r.attachments
  if (r.gate.length) parsed.gate = r.gate
  if (r.problems.length) parsed.problems = r.problems
  if (r.notes.length) parsed.notes = r.notes
  if (r.digestChanged) parsed['digest-changed'] = true
  if (r.tree) parsed.tree = r.tree
  return parsed
}
