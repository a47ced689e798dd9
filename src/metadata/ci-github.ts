/**
 * GitHub Actions: `@actions/github`'s context plus the `GITHUB_*` / `RUNNER_*` variables it does not
 * carry (workflow ref, triggering actor, ref name and type, runner).
 * https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables
 */
import { readFileSync } from 'node:fs'
import type { CiContext } from './ci.js'
import { compact, refNameOf, refTypeOf } from './git-refs.js'
import { REF_TYPES, type RefType } from './schema.js'

/** The shape of `@actions/github`'s `context` that this project reads. */
export interface GitHubContextLike {
  eventName: string
  sha: string
  ref: string
  workflow: string
  job: string
  /** `GITHUB_ACTION`: the running step's id */
  action?: string
  runId: number | string
  runNumber: number | string
  runAttempt?: number | string
  actor: string
  serverUrl: string
  apiUrl?: string
  repo: { owner: string; repo: string }
  payload: Record<string, unknown>
}

/**
 * The same fields `@actions/github` reads, from the environment and the event file; undefined when not
 * running on GitHub Actions. A missing or unreadable event file gives an empty payload, as
 * `@actions/github` does.
 */
export function githubContextFromEnv(env: NodeJS.ProcessEnv): GitHubContextLike | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return undefined
  let payload: Record<string, unknown> = {}
  if (env.GITHUB_EVENT_PATH) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) payload = parsed as Record<string, unknown>
    } catch {
      payload = {}
    }
  }
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/', 2)
  const payloadRepo = obj(payload.repository)
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    action: env.GITHUB_ACTION ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    runNumber: env.GITHUB_RUN_NUMBER ?? '',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    repo: owner && repo ? { owner, repo } : { owner: str(obj(payloadRepo.owner).login) ?? '', repo: str(payloadRepo.name) ?? '' },
    payload
  }
}

export function githubCiContext(ctx: GitHubContextLike, env: NodeJS.ProcessEnv): CiContext {
  const serverUrl = trimSlash(ctx.serverUrl || env.GITHUB_SERVER_URL || 'https://github.com')
  const repository = ctx.repo.owner && ctx.repo.repo ? `${ctx.repo.owner}/${ctx.repo.repo}` : undefined
  const payloadRepo = obj(ctx.payload.repository)
  const ref = ctx.ref || env.GITHUB_REF || undefined
  const envRefType = REF_TYPES.includes(env.GITHUB_REF_TYPE as RefType) ? (env.GITHUB_REF_TYPE as RefType) : undefined
  const runId = text(ctx.runId)
  const runAttempt = text(ctx.runAttempt) ?? text(env.GITHUB_RUN_ATTEMPT)
  const license = str(obj(payloadRepo.license).spdx_id)
  const pr = obj(ctx.payload.pull_request).number
  return compact<CiContext>({
    provider: 'github',
    repository,
    repositoryUrl: safeHttpUrl(str(payloadRepo.html_url)) ?? (repository ? `${serverUrl}/${repository}` : undefined),
    commit: ctx.sha || env.GITHUB_SHA,
    ref,
    // refs/pull/N/merge says more than GITHUB_REF_TYPE, which is `branch` for pull requests
    refType: refTypeOf(ref) === 'other' ? (envRefType ?? 'other') : (refTypeOf(ref) ?? envRefType),
    refName: env.GITHUB_REF_NAME || refNameOf(ref),
    serverUrl,
    event: ctx.eventName || env.GITHUB_EVENT_NAME,
    workflow: ctx.workflow || env.GITHUB_WORKFLOW,
    workflowRef: env.GITHUB_WORKFLOW_REF,
    job: ctx.job || env.GITHUB_JOB,
    step: ctx.action || env.GITHUB_ACTION,
    runId,
    runNumber: text(ctx.runNumber),
    runAttempt,
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}${runAttempt ? `/attempts/${runAttempt}` : ''}` : undefined,
    actor: ctx.actor || env.GITHUB_ACTOR,
    triggeringActor: env.GITHUB_TRIGGERING_ACTOR,
    runner: { os: env.RUNNER_OS, arch: env.RUNNER_ARCH, environment: env.RUNNER_ENVIRONMENT },
    // NOASSERTION / "other" is GitHub saying it does not know: not a license
    license: license && license !== 'NOASSERTION' ? license : undefined,
    description: str(payloadRepo.description),
    visibility: str(payloadRepo.visibility) ?? (payloadRepo.private === false ? 'public' : payloadRepo.private === true ? 'private' : undefined),
    pullRequest: typeof pr === 'number' && Number.isInteger(pr) ? pr : undefined
  })
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}
/** numbers from `@actions/github` (NaN when the variable was unset) and strings from env alike */
function text(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? String(v) : undefined
  return str(v)
}
function trimSlash(s: string): string {
  return s.replace(/\/+$/, '')
}
function safeHttpUrl(s: string | undefined): string | undefined {
  if (!s) return undefined
  try {
    const u = new URL(s)
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined
    u.username = ''
    u.password = ''
    return u.toString().replace(/\/$/, '')
  } catch {
    return undefined
  }
}
