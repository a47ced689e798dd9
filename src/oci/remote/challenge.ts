/**
 * `WWW-Authenticate` challenges and token scopes.
 * https://datatracker.ietf.org/doc/html/rfc7235#section-4.1 (challenge grammar)
 * https://distribution.github.io/distribution/spec/auth/token/ (Bearer token flow)
 * https://distribution.github.io/distribution/spec/auth/scope/ (scope grammar)
 */

export interface Challenge {
  /** lower-cased: `basic`, `bearer` */
  scheme: string
  /** parameter names lower-cased, values unquoted */
  params: Record<string, string>
}

/**
 * Parse every challenge of a `WWW-Authenticate` value. Quoted values may hold commas, spaces and
 * escaped quotes (`scope="repository:a:pull,push"`); several challenges may share one header.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const out: Challenge[] = []
  if (!header) return out
  const s = header
  let i = 0
  let current: Challenge | undefined
  const skipWs = (): void => {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++
  }
  const readToken = (): string => {
    const start = i
    while (i < s.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(s[i]!)) i++
    return s.slice(start, i)
  }
  while (i < s.length) {
    skipWs()
    if (i >= s.length) break
    const token = readToken()
    if (!token) {
      i++ // unparseable character: skip it rather than fail the whole header
      continue
    }
    // a token followed by `=` is a parameter of the current challenge; otherwise a new scheme
    let j = i
    while (j < s.length && s[j] === ' ') j++
    if (s[j] === '=' && current && s[j + 1] !== '=') {
      i = j + 1
      while (i < s.length && s[i] === ' ') i++
      let value = ''
      if (s[i] === '"') {
        i++
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++
          value += s[i]
          i++
        }
        i++ // closing quote
      } else {
        const start = i
        while (i < s.length && s[i] !== ',' && !/\s/.test(s[i]!)) i++
        value = s.slice(start, i)
      }
      current.params[token.toLowerCase()] = value
    } else {
      current = { scheme: token.toLowerCase(), params: {} }
      out.push(current)
      // token68 form (`Basic abc==`) carries no parameters we use: skip it
      while (i < s.length && s[i] === ' ') i++
      const rest = /^[A-Za-z0-9._~+/-]+=*(?=\s*(,|$))/.exec(s.slice(i))
      if (rest && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^=]/.test(s.slice(i))) i += rest[0].length
    }
  }
  return out
}

/** The challenge to answer: Bearer when offered (it scopes access), else Basic. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find(c => c.scheme === 'bearer') ?? challenges.find(c => c.scheme === 'basic')
}

export type Access = 'pull' | 'push'

/** `repository:<name>:pull` for reads, `repository:<name>:pull,push` for writes. */
export function repositoryScope(repository: string, access: Access): string {
  return `repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`
}

/**
 * Merge scopes so one token covers them all: actions of the same resource are united
 * (`repository:a:pull` + `repository:a:push` → `repository:a:pull,push`), order kept.
 */
export function mergeScopes(scopes: string[]): string[] {
  const byResource = new Map<string, Set<string>>()
  for (const scope of scopes) {
    for (const one of scope.split(' ').filter(Boolean)) {
      const at = one.lastIndexOf(':')
      if (at < 0) {
        if (!byResource.has(one)) byResource.set(one, new Set())
        continue
      }
      const resource = one.slice(0, at)
      const actions = byResource.get(resource) ?? new Set<string>()
      for (const a of one
        .slice(at + 1)
        .split(',')
        .filter(Boolean))
        actions.add(a)
      byResource.set(resource, actions)
    }
  }
  const order = ['pull', 'push', 'delete', '*']
  return [...byResource].map(([resource, actions]) => {
    if (!actions.size) return resource
    const sorted = [...actions].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b))
    return `${resource}:${sorted.join(',')}`
  })
}

/** A stable key for the token cache. */
export function scopeKey(scopes: string[]): string {
  return mergeScopes(scopes).sort().join(' ')
}
