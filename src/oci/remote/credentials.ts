/**
 * Credentials for a registry: Docker's config.json (`auths`, `credHelpers`, `credsStore`), then
 * `GITHUB_TOKEN` for ghcr.io. Hosts match exactly (after stripping a scheme and path from the key, as
 * Docker does); credentials are never offered to a host they were not stored for.
 * https://docs.docker.com/reference/cli/docker/login/#credential-stores
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { OciError } from '../../errors.js'
import { addSecret, silentLogger, type Logger } from '../../log.js'
import { DOCKER_HUB } from '../reference.js'

export interface Credentials {
  username?: string
  password?: string
  /** identity/registry token */
  token?: string
  /** where they were found, for messages: `inputs`, `config.json auths`, `credential helper docker-credential-x`, `GITHUB_TOKEN` */
  source?: string
}

/** Docker Hub's legacy key in config.json and the server URL its credential helpers expect. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/'
/** A credential helper that hangs must not hang the build. */
export const CREDENTIAL_HELPER_TIMEOUT_MS = 15_000

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>
  credHelpers?: Record<string, string>
  credsStore?: string
}

/** `https://index.docker.io/v1/` → `docker.io`, `https://ghcr.io` → `ghcr.io`, `ghcr.io` → `ghcr.io`. */
export function configKeyHost(key: string): string {
  let host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const slash = host.indexOf('/')
  if (slash >= 0) host = host.slice(0, slash)
  host = host.toLowerCase()
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') return DOCKER_HUB
  return host
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json')
  return join(env.HOME || homedir(), '.docker', 'config.json')
}

function lookup<T>(map: Record<string, T> | undefined, registry: string): T | undefined {
  if (!map) return undefined
  const want = registry.toLowerCase()
  // an exact key first, then keys that only differ by scheme/path (`https://ghcr.io`, Docker Hub's v1 URL)
  if (map[registry] !== undefined) return map[registry]
  for (const [key, value] of Object.entries(map)) if (configKeyHost(key) === want) return value
  return undefined
}

/** Mask every secret, and the base64 `user:password` form that appears in Basic headers. */
export function maskCredentials(c: Credentials | undefined): void {
  if (!c) return
  addSecret(c.password)
  addSecret(c.token)
  if (c.username !== undefined && c.password !== undefined) addSecret(Buffer.from(`${c.username}:${c.password}`).toString('base64'))
}

function fromAuthEntry(entry: NonNullable<DockerConfig['auths']>[string]): Credentials | undefined {
  if (entry.auth) {
    addSecret(entry.auth)
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      const c: Credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
      if (entry.identitytoken) c.token = entry.identitytoken
      return c
    }
  }
  if (entry.identitytoken) return { ...(entry.username ? { username: entry.username } : {}), token: entry.identitytoken }
  if (entry.registrytoken) return { token: entry.registrytoken }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password }
  return undefined
}

/** Server URL a helper is asked about: Docker Hub's v1 URL for docker.io, the host otherwise. */
function helperServer(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : registry
}

/**
 * `docker-credential-<name> get` with the server on stdin; JSON `{Username, Secret}` on stdout.
 * Undefined when the helper has no credentials for the server.
 * https://github.com/docker/docker-credential-helpers#development
 */
export async function runCredentialHelper(name: string, server: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new OciError('INVALID_INPUT', `credential helper name "${name}" in Docker's config.json is not valid`)
  const program = `docker-credential-${name}`
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new OciError('TIMEOUT', `credential helper ${program} did not answer within ${CREDENTIAL_HELPER_TIMEOUT_MS} ms`))
    }, CREDENTIAL_HELPER_TIMEOUT_MS)
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
    child.on('error', e => {
      clearTimeout(timer)
      reject(
        new OciError('INVALID_INPUT', `credential helper ${program} could not be run (${(e as NodeJS.ErrnoException).code ?? e.message})`, {
          hint: "install it, or remove it from Docker's config.json",
          cause: e
        })
      )
    })
    child.on('close', c => {
      clearTimeout(timer)
      resolve({ code: c, stdout: out, stderr: err })
    })
    child.stdin.on('error', () => {}) // a helper that exits without reading stdin
    child.stdin.end(server)
  })
  if (code !== 0) {
    const text = `${stdout} ${stderr}`
    if (/credentials not found|not found in native keychain|no credentials/i.test(text)) return undefined
    throw new OciError('UNAUTHORIZED', `credential helper ${program} failed for ${server} (exit ${code}): ${stderr.trim() || stdout.trim()}`)
  }
  let parsed: { Username?: unknown; Secret?: unknown }
  try {
    parsed = JSON.parse(stdout) as typeof parsed
  } catch (e) {
    throw new OciError('INVALID_RESPONSE', `credential helper ${program} printed something other than JSON for ${server}`, { cause: e })
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : undefined
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : undefined
  if (!secret) return undefined
  addSecret(secret)
  // Docker's convention: username `<token>` means the secret is an identity token
  if (username === '<token>') return { token: secret }
  return { ...(username !== undefined ? { username } : {}), password: secret }
}

/**
 * Credentials for `registry` (a normalized host such as `docker.io`, `ghcr.io`, `localhost:5000`):
 * config.json `credHelpers` → `credsStore` → `auths` → `GITHUB_TOKEN` for ghcr.io → undefined.
 * A helper that fails is reported as a warning and the next source is tried.
 */
export async function resolveCredentials(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = silentLogger
): Promise<Credentials | undefined> {
  const found = await fromDockerConfig(registry, env, logger)
  if (found) {
    maskCredentials(found)
    return found
  }
  if (registry === 'ghcr.io' && env.GITHUB_TOKEN) {
    // GHCR accepts any user name with a token as the password
    const c = { username: env.GITHUB_ACTOR || 'x-access-token', password: env.GITHUB_TOKEN, source: 'GITHUB_TOKEN' }
    maskCredentials(c)
    return c
  }
  return undefined
}

async function fromDockerConfig(registry: string, env: NodeJS.ProcessEnv, logger: Logger): Promise<Credentials | undefined> {
  const path = dockerConfigPath(env)
  let config: DockerConfig
  try {
    config = JSON.parse(await readFile(path, 'utf8')) as DockerConfig
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') logger.warning(`ignoring Docker config ${path}: ${(e as Error).message}`)
    return undefined
  }
  if (!config || typeof config !== 'object') return undefined
  const tryHelper = async (name: string): Promise<Credentials | undefined> => {
    try {
      const c = await runCredentialHelper(name, helperServer(registry), env)
      return c && { ...c, source: `docker-credential-${name}, named in config.json` }
    } catch (e) {
      logger.warning(`${(e as Error).message}; trying other credential sources for ${registry}`)
      return undefined
    }
  }
  const helper = lookup(config.credHelpers, registry)
  if (helper) {
    const c = await tryHelper(helper)
    if (c) return c
  }
  if (config.credsStore && !helper) {
    const c = await tryHelper(config.credsStore)
    if (c) return c
  }
  const entry = lookup(config.auths, registry)
  const c = entry ? fromAuthEntry(entry) : undefined
  return c && { ...c, source: `config.json ${path}` }
}
