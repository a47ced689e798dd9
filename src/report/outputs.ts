/**
 * The contract's outputs from an Ending, typed once (`outputValues`); the action sets them as strings
 * (`outputsOf`), --json prints them as JSON values with the details of each command (`jsonReport`).
 * Pure.
 */
import type { BuildMetadata } from '../metadata/schema.js'
import type { Descriptor } from '../oci/types.js'
import type { AttachResult, Result, VerifyResult } from '../result.js'
import { type Ending, hasVerdict } from './ending.js'
import { orasDiscover } from './oras.js'

/** Every output of OUTPUT_SPECS (src/output-specs.ts), as a value. */
export interface Outputs {
  'subject-digest'?: string
  'artifact-digest'?: string
  'image-digest'?: string
  'metadata-digest'?: string
  metadata?: BuildMetadata
  annotations?: Record<string, string>
  referrers?: Descriptor[]
  'content-digest'?: string
  verified?: boolean
  missing?: string[]
  'exit-code': number
  error?: string
}

/** What attach and verify both report: the verdict over the referrers, and the document behind it. */
function verdictOutputs(r: AttachResult | VerifyResult, metadataDigest: string | undefined): Omit<Outputs, 'exit-code'> {
  return {
    'subject-digest': r.subject.digest,
    ...(r.artifactDigest ? { 'artifact-digest': r.artifactDigest } : {}),
    ...(r.command === 'attach' && r.imageDigest ? { 'image-digest': r.imageDigest } : {}),
    ...(metadataDigest ? { 'metadata-digest': metadataDigest } : {}),
    ...(r.metadata ? { metadata: r.metadata } : {}),
    ...(r.annotations ? { annotations: r.annotations } : {}),
    referrers: r.referrers,
    verified: r.verified,
    missing: r.missing
  }
}

function resultOutputs(r: Result): Omit<Outputs, 'exit-code'> {
  switch (r.command) {
    case 'attach':
      // the metadata is in the annotated image (annotations mode) or in our artifact
      return verdictOutputs(r, r.metadata ? (r.imageDigest ?? r.artifactDigest) : undefined)
    case 'verify':
      return verdictOutputs(r, r.metadataDigest)
    case 'discover':
      return { 'subject-digest': r.subject.digest, referrers: r.tree.map(n => n.descriptor) }
    case 'get':
      return {
        'subject-digest': r.subject.digest,
        'artifact-digest': r.picked.descriptor.digest,
        ...(r.metadata ? { 'metadata-digest': r.picked.descriptor.digest, metadata: r.metadata } : {}),
        'content-digest': r.content.digest
      }
  }
}

export function outputValues(e: Ending): Outputs {
  if (e.kind === 'result') return { ...resultOutputs(e.result), 'exit-code': e.code }
  // no verdict: nothing was found missing, because nothing could be looked at (or the input was bad)
  return { ...(hasVerdict(e) ? { verified: false, missing: [] } : {}), 'exit-code': e.code, error: e.error }
}

/** The outputs as the action sets them: strings, JSON for lists and objects. */
export function outputsOf(e: Ending): Record<string, string> {
  return outputStrings(outputValues(e))
}

export function outputStrings(o: Outputs): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue
    out[k] = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)
  }
  return out
}

/**
 * `--json`: one object. attach and verify: the outputs as JSON values with the details (gate rows,
 * attachments, problems); discover: the shape of `oras discover --format json` (src/report/oras.ts);
 * get: what was read and from where; a failure: the error, the exit code (and, for attach and verify,
 * `verified: false` and `missing: []`: no verdict).
 */
export function jsonReport(e: Ending): Record<string, unknown> {
  if (e.kind === 'failure') return { ...(e.command ? { command: e.command } : {}), ...(e.image ? { image: e.image } : {}), ...outputValues(e) }
  const r = e.result
  if (r.command === 'discover') return orasDiscover(r)
  const base: Record<string, unknown> = { command: r.command, image: r.image.original, ...outputValues(e) }
  if (r.notes.length) base.notes = r.notes
  if (r.command === 'get') {
    return {
      ...base,
      read: r.kind,
      source: r.picked.source,
      scope: r.picked.scope,
      ...(r.picked.artifactType ? { 'artifact-type': r.picked.artifactType } : {}),
      ...(r.picked.title ? { title: r.picked.title } : {}),
      ...(r.picked.created ? { created: r.picked.created } : {}),
      'media-type': r.content.mediaType,
      size: r.content.size,
      ...(r.output ? { output: r.output } : {}),
      others: r.others.map(o => ({ digest: o.descriptor.digest, artifactType: o.artifactType, scope: o.scope, created: o.created }))
    }
  }
  if (r.command === 'attach') base.mode = r.mode
  if (r.via) base.via = r.via
  if (r.command === 'attach' && r.attachments.length) base.attachments = r.attachments
  if (r.command === 'verify' && r.gate.length) base.gate = r.gate
  if (r.problems.length) base.problems = r.problems
  if (r.command === 'attach' && r.digestChanged) base['digest-changed'] = true
  return base
}

/**
 * The action's log of its outputs: each once. The document is printed under `metadata` only; in
 * `annotations` and `referrers` (which carry it encoded) it is named, not repeated.
 */
export function outputLog(o: Outputs, prefix: string): Array<[string, string]> {
  const lines: Array<[string, string]> = []
  for (const [name, v] of Object.entries(o)) {
    if (v === undefined) continue
    if (name === 'metadata') lines.push([name, JSON.stringify(v, null, 2)])
    else if (name === 'annotations') {
      const a = v as Record<string, string>
      lines.push([
        name,
        Object.entries(a)
          .map(([k, x]) => `${k}: ${k === prefix ? `(the metadata document, ${x.length} characters; see output metadata)` : x}`)
          .join('\n')
      ])
    } else if (name === 'referrers') {
      const list = v as Descriptor[]
      lines.push([name, list.length ? list.map(d => `${d.artifactType ?? d.mediaType}  ${d.digest}`).join('\n') : '(none)'])
    } else if (name === 'missing') lines.push([name, JSON.stringify(v)])
    else lines.push([name, String(v)])
  }
  return lines
}
