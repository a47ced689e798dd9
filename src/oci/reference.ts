/**
 * Image references: `[registry/]repository[:tag][@digest]` normalized as Docker does, and
 * `oci:<dir>[:tag|@digest]` for an OCI image layout. The string as given is kept beside the parts
 * (`kimai/kimai2:apache`): a tag silently dropped changes what a rebuild pulls.
 * https://github.com/distribution/reference/blob/main/reference.go (grammar)
 */
import { isIP } from 'node:net'
import { resolve as resolvePath } from 'node:path'
import { UsageError } from '../errors.js'
import { digestProblem } from './digest.js'

export const DOCKER_HUB = 'docker.io'
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io'
/** distribution/reference: a name may be at most 255 characters. */
export const MAX_NAME_LENGTH = 255

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/

export interface ImageRef {
  kind: 'registry' | 'layout'
  /** exactly what the user gave */
  original: string
  /** normalized registry host (`docker.io`, `ghcr.io`, `localhost:5000`); empty for a layout */
  registry: string
  /** host to talk HTTP to (`registry-1.docker.io` for Docker Hub); empty for a layout */
  endpoint: string
  /** repository path (`library/nginx`); for a layout, its absolute directory */
  repository: string
  /** normalized name without tag or digest (`docker.io/library/nginx`, `oci:/abs/dir`) */
  name: string
  tag?: string
  digest?: string
}

/** `invalid image reference "x": tag "-v1" is not valid. Use letters, …` */
function bad(input: string, what: string, part: string, cause: string, hint?: string): never {
  throw new UsageError(`invalid image reference "${input}": ${what} "${part}" ${cause}`, hint ? { hint } : {})
}

export function parseReference(input: string): ImageRef {
  const original = input
  const s = input.trim()
  if (!s) throw new UsageError('image reference is empty', { hint: 'give [registry/]repository[:tag][@digest] or oci:<dir>[:tag|@digest]' })
  if (s.startsWith('oci:')) return parseLayoutReference(original, s.slice(4))
  if (s.startsWith('docker://')) return { ...parseReference(s.slice('docker://'.length)), original }
  if (/\s/.test(s)) throw new UsageError(`invalid image reference "${input}": it contains whitespace, which no reference may hold`)

  let rest = s
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    const problem = digestProblem(digest)
    if (problem) bad(original, 'digest', digest, `is not valid (${problem.reason})`)
  }
  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) bad(original, 'tag', tag, 'is not valid', 'use letters, digits, _ . - (at most 128, not starting with . or -)')
  }
  if (!rest) bad(original, 'repository', rest, 'is missing')

  let registry = DOCKER_HUB
  let path = rest
  const slash = rest.indexOf('/')
  if (slash >= 0) {
    const first = rest.slice(0, slash)
    // Docker also takes an uppercase first component (`Foo/bar`) as a host; that only ever ends in a
    // DNS failure for a mistyped Docker Hub namespace, so here it is rejected as a repository path.
    // Host names are case-insensitive (RFC 4343): lowercase them so credential lookup and the Docker
    // Hub aliases match exactly.
    if (first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost') {
      if (!HOST.test(first)) bad(original, 'registry', first, 'is not a valid host[:port]')
      const port = /:(\d+)$/.exec(first)?.[1]
      if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) bad(original, 'registry port', port, 'is not between 1 and 65535')
      registry = first.toLowerCase()
      path = rest.slice(slash + 1)
    }
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      bad(original, 'repository path component', component, 'is not valid', 'use lowercase letters, digits and separators . _ __ -')
    }
  }
  const name = `${registry}/${path}`
  if (name.length > MAX_NAME_LENGTH) bad(original, 'name', name, `is longer than ${MAX_NAME_LENGTH} characters`)
  if (!tag && !digest) tag = 'latest'
  return {
    kind: 'registry',
    original,
    registry,
    endpoint: registry === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry,
    repository: path,
    name,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {})
  }
}

function parseLayoutReference(original: string, rest: string): ImageRef {
  if (!rest)
    throw new UsageError(`invalid image reference "${original}": no directory after "oci:"`, {
      hint: 'give a directory after "oci:", e.g. oci:./layout:latest'
    })
  let dir = rest
  let tag: string | undefined
  let digest: string | undefined
  const at = dir.lastIndexOf('@')
  if (at > 0 && /^[a-z0-9]+[:]/.test(dir.slice(at + 1))) {
    digest = dir.slice(at + 1)
    dir = dir.slice(0, at)
    const problem = digestProblem(digest)
    if (problem) bad(original, 'digest', digest, `is not valid (${problem.reason})`)
  }
  const colon = dir.lastIndexOf(':')
  const lastSep = Math.max(dir.lastIndexOf('/'), dir.lastIndexOf('\\'))
  if (!digest && colon > lastSep && colon > 0) {
    tag = dir.slice(colon + 1)
    dir = dir.slice(0, colon)
    // ref.name in a layout may be any string, but we keep to the tag grammar so the same tag works on a registry
    if (!TAG.test(tag)) bad(original, 'tag', tag, 'is not valid', 'use letters, digits, _ . - (at most 128, not starting with . or -)')
  }
  if (!dir) bad(original, 'directory', dir, 'is missing')
  const abs = resolvePath(dir)
  if (!tag && !digest) tag = 'latest'
  return {
    kind: 'layout',
    original,
    registry: '',
    endpoint: '',
    repository: abs,
    name: `oci:${abs}`,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {})
  }
}

/** `name[:tag][@digest]` for messages. */
export function formatReference(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/**
 * Loopback, as containerd names it (remotes/docker `MatchLocalhost`) and Go's proxy rules skip it:
 * `localhost`, 127.0.0.0/8, and ::1 in any spelling (with IPv4-mapped 127.x). The one definition
 * for plain HTTP without asking, Basic credentials over plain HTTP, and bypassing a proxy. A name
 * under `.localhost` is not loopback here: nothing resolves it here, and a resolver may send it
 * elsewhere; list it in insecure-registries (and NO_PROXY) to reach it over plain HTTP.
 * `hostPort`: `host`, `host:port`, `[v6]:port` or a bare IPv6 address.
 */
export function isLoopbackHost(hostPort: string): boolean {
  let host = hostPort.toLowerCase()
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'))
  else if (host.split(':').length === 2) host = host.slice(0, host.indexOf(':'))
  if (host === 'localhost') return true
  const family = isIP(host)
  if (family === 4) return host.startsWith('127.')
  if (family !== 6) return false
  // the WHATWG URL parser writes an IPv6 address one way: [::1], [::ffff:7f00:1] for ::ffff:127.0.0.1
  const canonical = new URL(`http://[${host}]/`).hostname
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical)
}
