/**
 * Recognising values that must not be stored in metadata: anyone who can pull the image can read its
 * annotations and referrers: anyone who can pull the image can read them, so nothing sensitive is stored in the clear. Detection is by
 * key name and by value shape; a finding names the key path and the reason, never the value.
 */

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
