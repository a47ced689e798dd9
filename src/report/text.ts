/**
 * The CLI's readable report of a result (a failure is one `error:` line, written by the CLI).
 */
import { Annotation } from '../oci/media-types.js'
import type { Descriptor } from '../oci/types.js'
import type { AttachResult, DiscoverResult, GetResult, ReferrerNode, Result, VerifyResult } from '../result.js'
import { platformLabel } from '../result.js'
import { isTopScope, notesOf, SOURCE_WORDS } from './notes.js'

/** A registry-supplied string on one line of a terminal: no control characters (escape sequences), a sane length. */
export function oneLine(s: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}

/** `application/spdx+json  sha256:…  sbom.spdx.json  (2026-01-02T03:04:05Z)` */
function label(d: Descriptor, what?: string): string {
  const title = d.annotations?.[Annotation.Title]
  const created = d.annotations?.[Annotation.Created]
  return [what ?? oneLine(d.artifactType ?? '<unknown>'), d.digest, title ? oneLine(title, 60) : undefined, created ? `(${oneLine(created, 40)})` : undefined]
    .filter(Boolean)
    .join('  ')
}

function tree(
  nodes: Array<{ line: string; children: ReferrerNode[]; extra?: Array<{ line: string; children: ReferrerNode[] }> }>,
  indent: string,
  out: string[]
): void {
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1
    out.push(`${indent}${last ? '└── ' : '├── '}${n.line}`)
    const below = [...(n.extra ?? []), ...n.children.map(c => ({ line: label(c.descriptor), children: c.children }))]
    tree(below, indent + (last ? '    ' : '│   '), out)
  })
}

/** The root line: the image as given, with the digest it resolved to unless the reference already names it. */
export function rootLine(r: DiscoverResult): string {
  return r.image.digest ? r.image.original : `${r.image.original}@${r.subject.digest}`
}

/** `discover --format tree` (the default), as `oras discover` draws it, with titles and creation times. */
function discoverTree(r: DiscoverResult): string[] {
  const out = [`${rootLine(r)}${r.via ? `  (referrers via ${r.via})` : ''}`]
  const top = r.tree.map(n => ({ line: label(n.descriptor), children: n.children }))
  const platforms = r.platforms.map(p => ({
    line: `platform ${platformLabel(p.descriptor)}  ${p.descriptor.digest}`,
    children: p.referrers,
    extra: p.attestations.map(a => ({ line: label(a, 'BuildKit attestation (in the index)'), children: [] }))
  }))
  tree([...top, ...platforms], '', out)
  if (!r.tree.length && !r.platforms.length) out.push(`└── (no referrers${r.artifactType ? ` of type ${r.artifactType}` : ''})`)
  return out
}

/** `discover --format table`: one row per referrer, the subject it refers to first, as `oras discover --format table` lists them. */
function discoverTable(r: DiscoverResult): string[] {
  const rows: string[][] = [['SUBJECT', 'ARTIFACT TYPE', 'DIGEST', 'TITLE', 'CREATED']]
  const add = (of: string, list: ReferrerNode[]): void => {
    for (const n of list) {
      const a = n.descriptor.annotations ?? {}
      rows.push([
        of,
        oneLine(n.descriptor.artifactType ?? '<unknown>'),
        n.descriptor.digest,
        oneLine(a[Annotation.Title] ?? '', 60),
        oneLine(a[Annotation.Created] ?? '', 40)
      ])
      add(n.descriptor.digest.slice(0, 19), n.children)
    }
  }
  add(r.platforms.length ? 'index' : 'image', r.tree)
  for (const p of r.platforms) {
    for (const a of p.attestations) rows.push([platformLabel(p.descriptor), 'BuildKit attestation (in the index)', a.digest, '', ''])
    add(platformLabel(p.descriptor), p.referrers)
  }
  const count = rows.length - 1
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map(row => row[i]!.length)))
  const head = [`Discovered ${count} artifact${count === 1 ? '' : 's'} referencing ${r.image.original}`, `Digest: ${r.subject.digest}`, '']
  return count
    ? [
        ...head,
        ...rows.map(row =>
          row
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()
        )
      ]
    : head.slice(0, 2)
}

function attachOrVerify(r: AttachResult | VerifyResult): string[] {
  const out: string[] = []
  out.push(`image:          ${r.image.original}`)
  out.push(`subject:        ${r.subject.digest} (${r.subject.mediaType})`)
  if (r.artifactDigest) out.push(`artifact:       ${r.artifactDigest}`)
  if (r.command === 'attach' && r.imageDigest) out.push(`image digest:   ${r.imageDigest}${r.digestChanged ? '  (changed)' : ''}`)
  if (r.command === 'verify' && r.metadataDigest && r.metadataDigest === r.subject.digest) out.push(`metadata in:    the image's own annotations`)
  if (r.metadata?.source.commit) out.push(`commit:         ${r.metadata.source.commit}`)
  if (r.command === 'attach') for (const a of r.attachments) out.push(`attached:       ${a.label} → ${a.digest} (${a.artifactType})`)
  out.push(`referrers seen: ${r.referrers.length}${r.via ? ` via ${r.via}` : ''}`)
  if (r.command === 'verify') {
    for (const g of r.gate) {
      const scope = isTopScope(g.scope) ? '' : `${g.scope}: `
      out.push(`  ${g.found ? '✔' : '✘'} ${scope}${g.requirement}: ${g.detail}`)
    }
  }
  for (const n of notesOf(r)) out.push(`note: ${n}`)
  out.push(`verified:       ${r.verified}`)
  return out
}

/** get with `output`: what was written, from where (the content itself goes to the file, or to stdout without one). */
function getText(r: GetResult): string[] {
  const p = r.picked
  return [
    `image:          ${r.image.original}`,
    `subject:        ${r.subject.digest} (${r.subject.mediaType})`,
    `read:           ${r.kind} from ${SOURCE_WORDS[p.source]} ${p.descriptor.digest}${isTopScope(p.scope) ? '' : ` (${p.scope})`}`,
    ...(p.created ? [`created:        ${oneLine(p.created, 40)}`] : []),
    `content:        ${r.content.digest} (${r.content.mediaType}, ${r.content.size} bytes)`,
    ...(r.output ? [`written to:     ${r.output}`] : []),
    ...r.notes.map(n => `note: ${n}`)
  ]
}

export function renderText(r: Result, opts: { format?: 'tree' | 'table' } = {}): string {
  let lines: string[]
  if (r.command === 'discover') lines = opts.format === 'table' ? discoverTable(r) : discoverTree(r)
  else if (r.command === 'get') lines = getText(r)
  else lines = attachOrVerify(r)
  return `${lines.join('\n')}\n`
}
