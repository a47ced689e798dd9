/**
 * Recognising values that must not be published: anyone who can pull the image can read its
 * annotations and referrers, so nothing sensitive is stored in the clear. One set of checks for
 * everything the tool publishes: the user's metadata fields and the `annotations` input. Detection
 * is by key name and by value shape; a finding names the key path and the reason, never the value.
 */
import { UsageError } from '../errors.js'

/** Key names that announce a secret, compared with case and `-_. ` removed. */
const SECRET_KEY_PARTS = [
  'token',
  'passwd',
  'password',
  'passphrase',
  'secret',
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'authorization',
  'sessionkey',
  'signingkey',
  'encryptionkey',
  'cookie'
]

/** Key names that contain a part above but name something harmless. */
const SAFE_KEY_NAMES = new Set(['tokenizer', 'secretname', 'passwordpolicy', 'credentialhelper', 'credentialhelpers'])

/** Well-known token formats: [reason, pattern]. Anchored loosely: a secret inside a longer string is still a secret. */
const SECRET_SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  ['a GitHub token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/],
  ['a GitLab token', /\bgl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}/],
  ['an AWS access key id', /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/],
  ['a Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['an npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['a Stripe secret key', /\b[sr]k_live_[A-Za-z0-9]{20,}/],
  ['a JSON Web Token', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ['a PEM private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/],
  ['a URL with a password', /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i]
]

/** Long random-looking strings: at least this long, this many bits of entropy per character. */
export const HIGH_ENTROPY_MIN_LENGTH = 32
export const HIGH_ENTROPY_MIN_BITS = 4.2

export function secretKeyReason(key: string): string | undefined {
  const k = key.toLowerCase().replace(/[-_. ]/g, '')
  if (SAFE_KEY_NAMES.has(k)) return undefined
  const part = SECRET_KEY_PARTS.find(p => k.includes(p))
  return part ? `its name contains "${part}"` : undefined
}

export function secretValueReason(value: string): string | undefined {
  for (const [reason, re] of SECRET_SHAPES) if (re.test(value)) return `the value looks like ${reason}`
  for (const word of value.split(/[\s"'=,;]+/)) {
    if (looksRandom(word)) return 'the value looks like a random key or token'
  }
  return undefined
}

/**
 * True for long strings drawn from a key alphabet (base64 / base64url) that mix cases and digits and
 * have high Shannon entropy. Hex strings (commit ids, sha256 digests, UUIDs) are excluded on purpose:
 * build metadata is full of them and they are not secrets; hex tops out at 4 bits per character anyway.
 */
export function looksRandom(s: string): boolean {
  const t = s.replace(/^sha(?:256|512):/, '')
  if (t.length < HIGH_ENTROPY_MIN_LENGTH) return false
  if (!/^[A-Za-z0-9+/=_-]+$/.test(t)) return false
  if (/^[0-9a-fA-F-]+$/.test(t)) return false
  if (!/[a-z]/.test(t) || !/[A-Z]/.test(t) || !/[0-9]/.test(t)) return false
  return shannonBits(t) >= HIGH_ENTROPY_MIN_BITS
}

export function shannonBits(s: string): number {
  const counts = new Map<string, number>()
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / s.length
    bits -= p * Math.log2(p)
  }
  return bits
}

export interface SecretFinding {
  /** JSONPath-like: `$.deploy.token`, `$.hosts[2]` */
  path: string
  reason: string
}

/** Every place in a JSON value that holds (or is named for) a secret. Booleans, null and '' are harmless. */
export function findSecrets(value: unknown, path = '$'): SecretFinding[] {
  const out: SecretFinding[] = []
  walk(value, path, out)
  return out
}

function walk(value: unknown, path: string, out: SecretFinding[]): void {
  if (typeof value === 'string') {
    const reason = secretValueReason(value)
    if (reason) out.push({ path, reason })
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, out)
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`
      const keyReason = secretKeyReason(k)
      if (keyReason && !isHarmless(v)) out.push({ path: p, reason: keyReason })
      else walk(v, p, out)
      const keyShape = secretValueReason(k)
      if (keyShape) out.push({ path: `${path}[<key>]`, reason: keyShape.replace('the value', 'a key') })
    }
  }
}

function isHarmless(v: unknown): boolean {
  return v === null || v === '' || typeof v === 'boolean'
}

/** Annotation values that say nothing: `com.acme.secret-scan=false` names a secret but holds none. */
const HARMLESS_ANNOTATION_VALUES = new Set(['', 'true', 'false'])

/**
 * Every annotation (of the `annotations` input) that holds or is named for a secret, judged as
 * metadata is: each part of a reverse-domain key (`com.acme.password` → `password`) as a field name,
 * the value by its shape, and the key itself by its shape (a token pasted as a key is not echoed).
 */
export function findSecretsInAnnotations(annotations: Record<string, string>): SecretFinding[] {
  const out: SecretFinding[] = []
  for (const [key, value] of Object.entries(annotations)) {
    const keyShape = secretValueReason(key)
    if (keyShape) {
      out.push({ path: '<a key>', reason: keyShape.replace('the value', 'the key') })
      continue
    }
    const named = key
      .split(/[./]/)
      .map(secretKeyReason)
      .find(r => r !== undefined)
    const reason = named && !HARMLESS_ANNOTATION_VALUES.has(value.toLowerCase()) ? named : secretValueReason(value)
    if (reason) out.push({ path: key, reason })
  }
  return out
}

/** Findings shown in one refusal; the rest are counted. */
const MAX_FINDINGS_SHOWN = 10

/**
 * The one refusal for anything that looks like a secret, whatever carries it: names each place and
 * why, never the value (logs are public too). Undefined when there is nothing to refuse.
 */
export function secretRefusal(findings: SecretFinding[], source: string, opts: { readable: string; hint: string }): UsageError | undefined {
  if (findings.length === 0) return undefined
  const list = findings
    .slice(0, MAX_FINDINGS_SHOWN)
    .map(f => `${f.path} (${f.reason})`)
    .join(', ')
  const more = findings.length > MAX_FINDINGS_SHOWN ? ` and ${findings.length - MAX_FINDINGS_SHOWN} more` : ''
  return new UsageError(
    `${source}: refusing to store what looks like a secret at ${list}${more}, as ${opts.readable} readable by anyone who can pull the image`,
    {
      hint: opts.hint
    }
  )
}
