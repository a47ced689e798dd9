/** Two rules of HTTP as the registry client applies them: which scheme a host is reached by, and what a redirect is. */
import { isLoopbackHost } from '../reference.js'

/** `http` for loopback and hosts the user listed as insecure; `https` for everything else. */
export function schemeFor(endpoint: string, insecure: string[] = []): 'http' | 'https' {
  if (isLoopbackHost(endpoint)) return 'http'
  const host = endpoint.replace(/:\d+$/, '')
  return insecure.some(h => h === endpoint || h === host) ? 'http' : 'https'
}

/** The redirections with a Location to follow. https://www.rfc-editor.org/rfc/rfc9110#section-15.4 */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** True for an answer that redirects (the one list, for the transport and for callers that take a redirect as an answer). */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status)
}
