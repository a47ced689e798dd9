/**
 * The signer a release gate expects, as users name it, matched against what a Fulcio certificate
 * says: its subject alternative name (the workflow that ran, for GitHub Actions
 * `https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>`), its OIDC issuer, and its
 * source repository (OID 1.3.6.1.4.1.57264.1.12).
 * https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md
 */
import { UsageError } from '../errors.js'

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com'

export type ExpectedSigner =
  /** `acme/widget/.github/workflows/release.yml@refs/tags/*`: the workflow identity, `*` matching anything */
  | { kind: 'workflow'; pattern: string; issuer: string }
  /** `acme/widget`: any workflow whose source repository is that one */
  | { kind: 'repository'; repository: string; issuer: string }

/** What a verified certificate says about who signed. */
export interface SignerIdentity {
  /** the subject alternative name (a workflow URL for GitHub Actions) */
  san: string
  issuer?: string
  /** the source repository URI extension, when the certificate has one */
  sourceRepository?: string
}

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/

export function parseExpectedSigner(text: string, issuer: string): ExpectedSigner {
  let s = text.trim()
  // a full URL is taken without its scheme and host: `https://github.com/o/r/...` → `o/r/...`
  if (/^https:\/\//.test(s)) s = s.replace(/^https:\/\/[^/]+\//, '')
  if (REPO.test(s)) return { kind: 'repository', repository: s, issuer }
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/\S+@\S+$/.test(s)) return { kind: 'workflow', pattern: s, issuer }
  throw new UsageError(`input signer "${text}" is neither a repository (owner/name) nor a workflow identity`, {
    hint: 'give owner/name, or owner/name/.github/workflows/<file>@<ref> with * matching anything, e.g. acme/widget/.github/workflows/release.yml@refs/tags/*'
  })
}

/** A URI without its scheme and host: `acme/widget/.github/workflows/release.yml@refs/tags/v1`. */
export function pathOf(uri: string): string {
  return uri.replace(/^https?:\/\/[^/]+\//, '')
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`
  )
}

/** Does this certificate name the expected signer? */
export function signerMatches(expected: ExpectedSigner, actual: SignerIdentity): boolean {
  if (actual.issuer !== expected.issuer) return false
  if (expected.kind === 'workflow') return globToRegExp(expected.pattern).test(pathOf(actual.san))
  const source = actual.sourceRepository ? pathOf(actual.sourceRepository) : undefined
  return source !== undefined ? source === expected.repository : pathOf(actual.san).startsWith(`${expected.repository}/`)
}

export function describeExpected(e: ExpectedSigner): string {
  return e.kind === 'workflow' ? `${e.pattern} (issuer ${e.issuer})` : `a workflow of ${e.repository} (issuer ${e.issuer})`
}

export function describeActual(a: SignerIdentity): string {
  return `${pathOf(a.san)}${a.issuer ? ` (issuer ${a.issuer})` : ''}`
}
