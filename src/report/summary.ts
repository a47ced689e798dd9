/**
 * The job summary: one pure markdown renderer. Every user-controlled string is escaped, so a tag or
 * an annotation cannot inject markup, links or HTML into the summary.
 */
import type { Result } from '../result.js'
import { VERSION } from '../version.js'

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+!|~&]/g, c => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`)).replace(/\r?\n/g, ' ')
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``

function table(rows: Array<[string, string]>): string {
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n')
}

export function renderSummary(r: Result): string {
  const title = r.command === 'verify' ? 'Release gate' : r.command === 'discover' ? 'Referrers' : `Build metadata (${r.mode} mode)`
  const status = r.verified ? '✅ verified' : '❌ not verified'
  const rows: Array<[string, string]> = [
    ['Image', code(r.image.original)],
    ['Subject digest', code(r.subject.digest)]
  ]
  if (r.artifactDigest) rows.push(['Metadata artifact', code(r.artifactDigest)])
  if (r.imageDigest) rows.push(['New image digest', code(r.imageDigest)])
  if (r.metadata?.source.commit) rows.push(['Commit', code(r.metadata.source.commit)])
  rows.push(['Referrers seen', `${r.referrers.length}${r.via ? ` (via ${escapeMarkdown(r.via)})` : ''}`])
  rows.push(['Verification', status])
  const parts = [`### ${title}`, '', table(rows), '']
  if (r.digestChanged) parts.push(`> **The image digest changed.** ${escapeMarkdown(r.notes[0] ?? '')}`, '')
  if (r.attachments.length) {
    parts.push('#### Attached', '', '| what | artifactType | digest |', '|---|---|---|')
    for (const a of r.attachments) parts.push(`| ${escapeMarkdown(a.label)} | ${code(a.artifactType)} | ${code(a.digest)} |`)
    parts.push('')
  }
  if (r.gate.length) {
    parts.push('#### Requirements', '', '| scope | requirement | result | detail |', '|---|---|---|---|')
    for (const g of r.gate)
      parts.push(`| ${escapeMarkdown(g.scope)} | ${escapeMarkdown(g.requirement)} | ${g.found ? '✅ found' : '❌ missing'} | ${escapeMarkdown(g.detail)} |`)
    parts.push('')
  }
  if (r.referrers.length) {
    parts.push('<details><summary>Referrers</summary>', '', '| artifactType | digest |', '|---|---|')
    for (const d of r.referrers) parts.push(`| ${code(d.artifactType ?? d.mediaType)} | ${code(d.digest)} |`)
    parts.push('', '</details>', '')
  }
  if (r.problems.length) {
    parts.push('#### Problems', '')
    for (const p of r.problems) parts.push(`- ${escapeMarkdown(p)}`)
    parts.push('')
  }
  parts.push(`<sub>oci-build-metadata ${VERSION}</sub>`, '')
  return parts.join('\n')
}
