/**
 * Which Sigstore instance signs, chosen as actions/attest chooses: the public-good instance (Fulcio
 * and the public Rekor log) for public repositories, GitHub's own (its Fulcio and timestamp
 * authority, no public log) for private and internal ones. A repository whose visibility is unknown
 * counts as private: a statement never goes to a public log unless the user asks for it.
 * https://docs.sigstore.dev/about/overview/ · https://docs.github.com/en/actions/security-for-github-actions/using-artifact-attestations
 */
import { UsageError } from '../errors.js'
import { isLoopbackHost } from '../oci/reference.js'

export const PUBLIC_GOOD = { fulcioURL: 'https://fulcio.sigstore.dev', rekorURL: 'https://rekor.sigstore.dev' } as const

export interface SigstoreEndpoints {
  instance: 'public-good' | 'github' | 'custom'
  fulcioURL: string
  /** a transparency log entry is made (public-good, or a custom Rekor) */
  rekorURL?: string
  /** an RFC 3161 signed timestamp is taken (GitHub's instance, or a custom TSA) */
  tsaURL?: string
  /** for the log: why this instance */
  why: string
}

/** The `sigstore` input: `auto`, `public-good`, `github`, or `fulcio=`, `rekor=`, `tsa=` lines. */
export type SigstoreSetting = { kind: 'auto' | 'public-good' | 'github' } | { kind: 'custom'; fulcioURL: string; rekorURL?: string; tsaURL?: string }

export function parseSigstoreSetting(text: string | undefined): SigstoreSetting {
  const s = (text ?? '').trim()
  if (s === '' || s === 'auto') return { kind: 'auto' }
  if (s === 'public-good' || s === 'github') return { kind: s }
  const urls: Record<string, string> = {}
  for (const raw of s.split('\n')) {
    const line = raw.trim()
    if (!line) continue
    const m = /^(fulcio|rekor|tsa)\s*=\s*(\S+)$/.exec(line)
    if (!m) throw new UsageError(`input sigstore: "${line}" is not auto, public-good, github or a fulcio=, rekor= or tsa= line`, { hint: 'give one of those' })
    let u: URL
    try {
      u = new URL(m[2]!)
    } catch {
      throw new UsageError(`input sigstore: ${m[1]}=${m[2]} is not a URL`)
    }
    if (u.protocol !== 'https:' && !isLoopbackHost(u.host)) throw new UsageError(`input sigstore: ${m[1]} must be an https URL, got ${m[2]}`)
    urls[m[1]!] = u.toString().replace(/\/+$/, '')
  }
  if (!urls.fulcio) throw new UsageError('input sigstore: a custom instance has no fulcio= line', { hint: 'add fulcio=<https URL>' })
  if (!urls.rekor && !urls.tsa)
    throw new UsageError('input sigstore: a custom instance has neither a rekor= nor a tsa= line', {
      hint: 'add a transparency log (rekor=) or a timestamp authority (tsa=)'
    })
  return { kind: 'custom', fulcioURL: urls.fulcio, ...(urls.rekor ? { rekorURL: urls.rekor } : {}), ...(urls.tsa ? { tsaURL: urls.tsa } : {}) }
}

/** GitHub's instance for a server: `github.com` → `fulcio.githubapp.com`, GHE.com → `fulcio.<host>`. */
function githubEndpoints(serverUrl: string | undefined): { fulcioURL: string; tsaURL: string } {
  let host = 'github.com'
  try {
    if (serverUrl) host = new URL(serverUrl).hostname
  } catch {
    /* keep github.com */
  }
  if (host === 'github.com') host = 'githubapp.com'
  return { fulcioURL: `https://fulcio.${host}`, tsaURL: `https://timestamp.${host}` }
}

export function signingEndpoints(setting: SigstoreSetting, repo: { provider: string; visibility?: string; serverUrl?: string }): SigstoreEndpoints {
  if (setting.kind === 'custom') return { instance: 'custom', ...setting, why: 'the sigstore input names it' }
  if (setting.kind === 'auto' && repo.visibility !== 'public' && repo.provider !== 'github') {
    // GitHub's instance certifies GitHub's tokens only; nothing private goes to the public log unasked
    throw new UsageError(
      `sign: no Sigstore instance to choose: this ${repo.visibility ?? 'non-public'} project is not on GitHub, and only a public one signs on the public ` +
        `log by default`,
      {
        hint: 'set sigstore: public-good (the statement goes to the public transparency log) or name your own instance (fulcio=, rekor=, tsa= lines)'
      }
    )
  }
  const chosen = setting.kind === 'auto' ? (repo.visibility === 'public' ? 'public-good' : 'github') : setting.kind
  const why =
    setting.kind !== 'auto'
      ? `the sigstore input asks for ${chosen}`
      : repo.visibility === 'public'
        ? 'the repository is public'
        : `the repository is ${repo.visibility ?? 'of unknown visibility'}, so nothing goes to the public log`
  if (chosen === 'public-good') return { instance: 'public-good', ...PUBLIC_GOOD, why }
  return { instance: 'github', ...githubEndpoints(repo.serverUrl), why }
}
