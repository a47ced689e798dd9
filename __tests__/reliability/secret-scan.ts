/**
 * Looking for secrets in what a run left behind: every channel of a process run (stdout, stderr, the
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) and the documents it wrote to a registry, with their
 * base64 and gzip annotations and their layers decoded. Each test scans its own runs.
 */
import { gunzipSync } from 'node:zlib'
import type { TestRegistry } from '../../__fixtures__/registry/index.js'
import type { RemoteTarget } from '../../src/oci/remote/remote-target.js'
import { parseManifest } from '../../src/oci/types.js'
import type { ProcessRun } from './bad-input-helpers.js'

/** The Bearer tokens a registry saw since its requests were last reset (its own and its redirect target's). */
export function tokensSeen(reg: TestRegistry | undefined): Set<string> {
  const out = new Set<string>()
  for (const r of reg ? [...reg.requests, ...reg.redirectRequests] : []) {
    const m = /^Bearer\s+(\S+)$/.exec(r.headers.authorization ?? '')
    if (m) out.add(m[1] as string)
  }
  return out
}

/** `::add-mask::` lines of a run's stdout: the runner's masking commands (consumed by it, never shown). */
export function masksOf(run: Pick<ProcessRun, 'stdout'>): string[] {
  return run.stdout
    .split('\n')
    .filter(l => l.startsWith('::add-mask::'))
    .map(l => l.slice('::add-mask::'.length))
}

/** Each needle found in a channel of `run`, as `<label>: <channel> holds <first 6 characters>…`. */
export function channelLeaks(label: string, run: ProcessRun, needles: Iterable<string>): string[] {
  const stdout = run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  const channels = { stdout, stderr: run.stderr, GITHUB_OUTPUT: run.outputFile, GITHUB_STEP_SUMMARY: run.summaryFile }
  const found: string[] = []
  const all = [...needles]
  for (const [channel, text] of Object.entries(channels)) for (const n of all) if (text.includes(n)) found.push(`${label}: ${channel} holds ${n.slice(0, 6)}…`)
  return found
}

/** Each needle found in a document's text (see documentText). */
export function documentLeaks(label: string, text: string, needles: Iterable<string>): string[] {
  return [...needles].filter(n => text.includes(n)).map(n => `${label}: document holds ${n.slice(0, 6)}…`)
}

/** Annotation values decoded as base64 and gzip too, so an encoded document is searched as well. */
export function expand(text: string, annotations: Record<string, string> = {}): string {
  const parts = [text]
  for (const v of Object.values(annotations)) {
    const raw = Buffer.from(v, 'base64')
    parts.push(raw.toString('utf8'))
    try {
      parts.push(gunzipSync(raw).toString('utf8'))
    } catch {
      // not gzip
    }
  }
  return parts.join('\n')
}

/** The artifact manifest, its annotations decoded (base64, gzip) and its non-empty layer blobs, as text. */
export async function documentText(t: RemoteTarget, digest: string): Promise<string> {
  expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
  const got = await t.fetchManifest(digest)
  const m = parseManifest(got.bytes) as { annotations?: Record<string, string>; layers?: Array<{ digest: string; size: number; mediaType: string }> }
  let text = expand(new TextDecoder().decode(got.bytes), m.annotations)
  for (const l of m.layers ?? []) {
    if (l.size <= 2) continue
    const blob = await t.fetchBlob(l as never)
    text += `\n${expand(Buffer.from(blob).toString('utf8'), { blob: Buffer.from(blob).toString('base64') })}`
  }
  return text
}
