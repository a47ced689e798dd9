/**
 * The CLI's readable report.
 */
import { platformLabel } from '../result.js'
import type { ReferrerNode, Result } from '../result.js'

function tree(nodes: ReferrerNode[], indent: string, out: string[]): void {
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1
    const created = n.descriptor.annotations?.['org.opencontainers.image.created']
    const what =
      n.relation === 'platform'
        ? `platform ${platformLabel(n.descriptor)}`
        : n.relation === 'attestation'
          ? 'BuildKit attestation (in the index)'
          : (n.descriptor.artifactType ?? n.descriptor.mediaType)
    out.push(`${indent}${last ? '└── ' : '├── '}${what}  ${n.descriptor.digest}${created ? `  (${created})` : ''}`)
    tree(n.children, indent + (last ? '    ' : '│   '), out)
  })
}

export function renderText(r: Result): string {
  const out: string[] = []
  out.push(`image:          ${r.image.original}`)
  out.push(`subject:        ${r.subject.digest} (${r.subject.mediaType})`)
  if (r.artifactDigest) out.push(`artifact:       ${r.artifactDigest}`)
  if (r.imageDigest) out.push(`image digest:   ${r.imageDigest}${r.digestChanged ? '  (changed)' : ''}`)
  if (r.metadata?.source.commit) out.push(`commit:         ${r.metadata.source.commit}`)
  for (const a of r.attachments) out.push(`attached:       ${a.label} → ${a.digest} (${a.artifactType})`)
  if (r.command !== 'discover') out.push(`referrers seen: ${r.referrers.length}${r.via ? ` via ${r.via}` : ''}`)
  for (const g of r.gate) {
    const scope = g.scope === 'image' || g.scope === 'index' ? '' : `${g.scope}: `
    out.push(`  ${g.found ? '✔' : '✘'} ${scope}${g.requirement}: ${g.detail}`)
  }
  for (const n of r.notes) out.push(`note: ${n}`)
  if (r.tree) {
    out.push(`${r.image.original}@${r.subject.digest}${r.via ? `  (referrers via ${r.via})` : ''}`)
    tree(r.tree, '', out)
    if (!r.tree.length) out.push('└── (no referrers)')
  }
  if (r.command !== 'discover') out.push(`verified:       ${r.verified}`)
  return `${out.join('\n')}\n`
}
