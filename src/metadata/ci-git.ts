/**
 * Outside CI: ask `git` in the working directory. Each question is one short `git` run; any failure
 * (no git, not a repository, no commits) just leaves the field out.
 */
import { execFile } from 'node:child_process'
import type { CiContext } from './ci.js'
import { compact, refNameOf, refTypeOf } from './git-refs.js'

/** A hung git (a credential prompt, a network filesystem) must not hang the build. */
export const GIT_TIMEOUT_MS = 10_000

function git(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      { env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, timeout: GIT_TIMEOUT_MS, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : String(stdout).trim() || undefined)
    )
  })
}

export async function gitCiContext(cwd: string, env: NodeJS.ProcessEnv): Promise<CiContext | undefined> {
  const commit = await git(cwd, env, ['rev-parse', '--verify', '-q', 'HEAD'])
  if (!commit) return undefined
  let ref = await git(cwd, env, ['symbolic-ref', '-q', 'HEAD'])
  if (!ref) {
    // detached HEAD (CI checkouts, `git checkout v1.2.3`): name it by a tag pointing at it, if any
    const tags = await git(cwd, env, ['tag', '--points-at', 'HEAD', '--sort=-creatordate'])
    const tag = tags?.split('\n')[0]?.trim()
    if (tag) ref = `refs/tags/${tag}`
  }
  const remote = await git(cwd, env, ['config', '--get', 'remote.origin.url'])
  const repositoryUrl = remote ? webUrlOfRemote(remote) : undefined
  return compact<CiContext>({
    provider: 'git',
    repository: repositoryUrl ? repositoryPathOf(repositoryUrl) : undefined,
    repositoryUrl,
    commit,
    ref,
    refName: refNameOf(ref),
    refType: refTypeOf(ref)
  })
}

/**
 * A remote URL as a browsable `https://` URL without credentials:
 * `https://user:token@host/o/r.git` → `https://host/o/r`, `git@host:o/r.git` → `https://host/o/r`,
 * `ssh://git@host:22/o/r.git` → `https://host/o/r`. Local paths and unknown schemes give undefined:
 * they mean nothing to whoever reads the metadata.
 */
export function webUrlOfRemote(remote: string): string | undefined {
  const s = remote.trim()
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/)([^\s]+)$/.exec(s)
  if (scp && !/^[A-Za-z]:/.test(s)) return `https://${scp[1]}/${stripGit(scp[2]!)}`
  let u: URL
  try {
    u = new URL(s)
  } catch {
    return undefined
  }
  if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(u.protocol)) return undefined
  const path = stripGit(u.pathname.replace(/^\/+/, ''))
  if (!u.hostname || !path) return undefined
  const scheme = u.protocol === 'http:' ? 'http' : 'https'
  const port = scheme === u.protocol.slice(0, -1) && u.port ? `:${u.port}` : ''
  return `${scheme}://${u.hostname}${port}/${path}`
}

function stripGit(p: string): string {
  return p.replace(/\/+$/, '').replace(/\.git$/, '')
}

/** `https://host/o/r` → `o/r` */
export function repositoryPathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname.replace(/^\/+/, '') || undefined
  } catch {
    return undefined
  }
}
