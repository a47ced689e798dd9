/**
 * Where a build ran: read once from the CI environment (GitHub Actions, else GitLab CI, else `git` in
 * the working directory, else nothing). Everything here is a function of its arguments: the action
 * entry passes `@actions/github`'s context in, the CLI passes `process.env`.
 */
import { UsageError } from '../errors.js'
import type { CiContext } from './ci.js'
import { githubCiContext, githubContextFromEnv, type GitHubContextLike } from './ci-github.js'
import { gitlabCiContext } from './ci-gitlab.js'
import { gitCiContext } from './ci-git.js'

export { githubContextFromEnv, type GitHubContextLike }
export type { CiContext } from './ci.js'

export interface ReadCiContextOptions {
  env: NodeJS.ProcessEnv
  cwd: string
  /** `@actions/github`'s `context`; the action entry passes it, the CLI leaves it out */
  github?: GitHubContextLike
}

export async function readCiContext(opts: ReadCiContextOptions): Promise<CiContext> {
  const github = opts.github ?? githubContextFromEnv(opts.env)
  if (github) return githubCiContext(github, opts.env)
  if (opts.env.GITLAB_CI === 'true') return gitlabCiContext(opts.env)
  const git = await gitCiContext(opts.cwd, opts.env)
  return git ?? { provider: 'none' }
}

/**
 * The build's clock. `SOURCE_DATE_EPOCH` (https://reproducible-builds.org/specs/source-date-epoch/)
 * wins when set: it must be a non-negative integer number of seconds, and a malformed value is an
 * error rather than silently ignored, as the spec asks. An empty value counts as unset (CI systems
 * pass empty inputs through as empty variables).
 */
export function nowFromEnv(env: NodeJS.ProcessEnv, clock: () => Date = () => new Date()): Date {
  const raw = env.SOURCE_DATE_EPOCH
  if (raw === undefined || raw.trim() === '') return clock()
  const s = raw.trim()
  if (!/^\d{1,15}$/.test(s)) {
    throw new UsageError(`SOURCE_DATE_EPOCH="${raw}" is not a Unix timestamp`, {
      hint: 'give whole seconds since 1970-01-01 UTC, e.g. $(git log -1 --format=%ct)'
    })
  }
  const d = new Date(Number(s) * 1000)
  if (Number.isNaN(d.getTime())) throw new UsageError(`SOURCE_DATE_EPOCH="${raw}" is out of range`)
  return d
}
