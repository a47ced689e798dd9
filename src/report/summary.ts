/**
 * The job summary: one pure markdown renderer for every ending (exit 0 to 4). Every string that
 * comes from a user or a registry is escaped — in table cells `|` too, inside code spans as well (GFM
 * splits table rows on any unescaped `|`, https://github.github.com/gfm/#tables-extension-) — so a
 * tag, an annotation or an artifactType cannot inject markup, links or HTML, or break a row.
 * discover and get report what is there; only attach and verify show a verdict.
 */
import { Annotation } from '../oci/media-types.js'
import type { Descriptor } from '../oci/types.js'
import type { AttachResult, DiscoverResult, GetResult, ReferrerNode, VerifyResult } from '../result.js'
import { platformLabel } from '../result.js'
import { VERSION } from '../version.js'
import { type Ending, EXIT_MEANING } from './ending.js'
import { annotationsNote, isTopScope, SOURCE_WORDS } from './notes.js'

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+!|~&]/g, c => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`)).replace(/\r?\n/g, ' ')
}

/** A code span safe in a table cell: backticks cannot close it, `|` cannot split the row, a newline cannot end it. */
export function code(s: string): string {
  return `\`${s
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')}\``
}

function table(rows: Array<[string, string]>): string {
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n')
}

const TITLES = { attach: 'Build metadata', verify: 'Release gate', discover: 'Referrers', get: 'Read back' } as const

function footer(parts: string[]): string {
  parts.push(`<sub>oci-build-metadata ${VERSION}</sub>`, '')
  return parts.join('\n')
}

function problemsList(parts: string[], problems: string[]): void {
  if (!problems.length) return
  parts.push('#### Problems', '')
  for (const p of problems) parts.push(`- ${escapeMarkdown(p)}`)
  parts.push('')
}

function referrersDetails(parts: string[], referrers: Descriptor[]): void {
  if (!referrers.length) return
  parts.push('<details><summary>Referrers</summary>', '', '| artifactType | digest |', '|---|---|')
  for (const d of referrers) parts.push(`| ${code(d.artifactType ?? d.mediaType)} | ${code(d.digest)} |`)
  parts.push('', '</details>', '')
}

function attachSummary(r: AttachResult): string {
  const rows: Array<[string, string]> = [
    ['Image', code(r.image.original)],
    ['Subject digest', code(r.subject.digest)]
  ]
  if (r.artifactDigest) rows.push(['Metadata artifact', code(r.artifactDigest)])
  if (r.imageDigest) rows.push(['New image digest (carries the metadata)', code(r.imageDigest)])
  if (r.metadata?.source.commit) rows.push(['Commit', code(r.metadata.source.commit)])
  rows.push(['Referrers seen', `${r.referrers.length}${r.via ? ` (via ${escapeMarkdown(r.via)})` : ''}`])
  rows.push(['Verification', r.verified ? '✅ verified' : '❌ not verified'])
  const parts = [`### ${TITLES.attach} (${r.mode} mode)`, '', table(rows), '']
  const note = annotationsNote(r)
  if (note) parts.push(`> ${r.digestChanged ? '**The image digest changed.** ' : ''}${escapeMarkdown(note)}`, '')
  if (r.attachments.length) {
    parts.push('#### Attached', '', '| what | artifactType | digest |', '|---|---|---|')
    for (const a of r.attachments) parts.push(`| ${escapeMarkdown(a.label)} | ${code(a.artifactType)} | ${code(a.digest)} |`)
    parts.push('')
  }
  referrersDetails(parts, r.referrers)
  problemsList(parts, r.problems)
  return footer(parts)
}

function verifySummary(r: VerifyResult): string {
  const rows: Array<[string, string]> = [
    ['Image', code(r.image.original)],
    ['Subject digest', code(r.subject.digest)]
  ]
  if (r.metadataDigest) {
    rows.push(['Metadata carried by', `${code(r.metadataDigest)}${r.metadataDigest === r.subject.digest ? " (the image's own annotations)" : ''}`])
  }
  if (r.metadata?.source.commit) rows.push(['Commit', code(r.metadata.source.commit)])
  rows.push(['Referrers seen', `${r.referrers.length}${r.via ? ` (via ${escapeMarkdown(r.via)})` : ''}`])
  rows.push(['Verification', r.verified ? '✅ verified' : '❌ not verified'])
  const parts = [`### ${TITLES.verify}`, '', table(rows), '']
  if (r.gate.length) {
    parts.push('#### Requirements', '', '| scope | requirement | result | detail |', '|---|---|---|---|')
    // a policy row holds or does not; a requirement is found or missing
    const result = (g: (typeof r.gate)[number]) => (g.kind === 'policy' ? (g.found ? '✅ holds' : '❌ fails') : g.found ? '✅ found' : '❌ missing')
    for (const g of r.gate) parts.push(`| ${escapeMarkdown(g.scope)} | ${escapeMarkdown(g.requirement)} | ${result(g)} | ${escapeMarkdown(g.detail)} |`)
    parts.push('')
  }
  referrersDetails(parts, r.referrers)
  problemsList(parts, r.problems)
  return footer(parts)
}

/** One table per subject: its referrers (and theirs, marked ↳ by depth), with titles and creation times. */
function referrerTable(parts: string[], heading: string, attestations: Descriptor[], nodes: ReferrerNode[]): void {
  parts.push(heading, '')
  if (!attestations.length && !nodes.length) {
    parts.push('No referrers.', '')
    return
  }
  parts.push('| artifactType | digest | title | created |', '|---|---|---|---|')
  const cell = (v: string | undefined) => (v ? code(v) : '')
  for (const a of attestations) parts.push(`| BuildKit attestation (in the index) | ${code(a.digest)} | | ${cell(a.annotations?.[Annotation.Created])} |`)
  const walk = (list: ReferrerNode[], depth: number): void => {
    for (const n of list) {
      const d = n.descriptor
      const mark = depth ? `${'↳'.repeat(depth)} ` : ''
      parts.push(
        `| ${mark}${code(d.artifactType ?? '<unknown>')} | ${code(d.digest)} | ${cell(d.annotations?.[Annotation.Title])} | ${cell(d.annotations?.[Annotation.Created])} |`
      )
      walk(n.children, depth + 1)
    }
  }
  walk(nodes, 0)
  parts.push('')
}

function discoverSummary(r: DiscoverResult): string {
  const rows: Array<[string, string]> = [
    ['Image', code(r.image.original)],
    ['Subject digest', code(r.subject.digest)],
    ['Referrers', `${r.tree.length}${r.via ? ` (via ${escapeMarkdown(r.via)})` : ''}`]
  ]
  if (r.artifactType) rows.push(['Only artifactType', code(r.artifactType)])
  if (r.platforms.length) rows.push(['Platforms', String(r.platforms.length)])
  const parts = [`### ${TITLES.discover}`, '', table(rows), '']
  referrerTable(parts, `#### Referrers of the ${r.platforms.length ? 'index' : 'image'}`, [], r.tree)
  for (const p of r.platforms)
    referrerTable(parts, `#### ${escapeMarkdown(platformLabel(p.descriptor))} ${code(p.descriptor.digest)}`, p.attestations, p.referrers)
  return footer(parts)
}

function getSummary(r: GetResult): string {
  const p = r.picked
  const rows: Array<[string, string]> = [
    ['Image', code(r.image.original)],
    ['Subject digest', code(r.subject.digest)],
    [
      'Read',
      `${escapeMarkdown(r.kind)} from ${SOURCE_WORDS[p.source]} ${code(p.descriptor.digest)}${isTopScope(p.scope) ? '' : ` (${escapeMarkdown(p.scope)})`}`
    ],
    ['Content', `${code(r.content.digest)} (${code(r.content.mediaType)}, ${r.content.size} bytes)`]
  ]
  if (p.created) rows.push(['Created', code(p.created)])
  if (r.output) rows.push(['Written to', code(r.output)])
  if (r.others.length) rows.push(['Also attached', r.others.map(o => code(o.descriptor.digest)).join(', ')])
  return footer([`### ${TITLES.get}`, '', table(rows), ''])
}

/** A failure: what was run, the exit code and what it means, and the one error line. */
function failureSummary(e: Extract<Ending, { kind: 'failure' }>): string {
  const rows: Array<[string, string]> = []
  if (e.image) rows.push(['Image', code(e.image)])
  rows.push(['Command', e.command ?? 'unknown'], ['Result', `❌ exit ${e.code}: ${EXIT_MEANING[e.code]}`], ['Error', escapeMarkdown(e.error)])
  return footer([`### ${e.command ? TITLES[e.command] : 'oci-build-metadata'}`, '', table(rows), ''])
}

export function renderSummary(e: Ending): string {
  if (e.kind === 'failure') return failureSummary(e)
  const r = e.result
  switch (r.command) {
    case 'attach':
      return attachSummary(r)
    case 'verify':
      return verifySummary(r)
    case 'discover':
      return discoverSummary(r)
    case 'get':
      return getSummary(r)
  }
}
