import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { isOciError } from '../../src/errors.js'
import { githubContextFromEnv, nowFromEnv, readCiContext, type GitHubContextLike } from '../../src/metadata/ci-context.js'
import { webUrlOfRemote } from '../../src/metadata/ci-git.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obm-ctx-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** An environment with nothing from the host in it, and git kept inside `dir`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, GIT_CEILING_DIRECTORIES: dirname(dir), GIT_CONFIG_NOSYSTEM: '1', HOME: dir, ...extra }
}

const SHA = '4f1c2a7d9e0b8c6a5f3e2d1c0b9a8f7e6d5c4b3a'

function githubEnv(eventPath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/app',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_REF_NAME: 'v1.2.3',
    GITHUB_REF_TYPE: 'tag',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKFLOW: 'release',
    GITHUB_WORKFLOW_REF: 'octo-org/app/.github/workflows/release.yml@refs/tags/v1.2.3',
    GITHUB_JOB: 'build',
    GITHUB_RUN_ID: '9876543210',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'hubot',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    ...extra
  }
}

describe('GitHub Actions', () => {
  it('reads every field from GITHUB_* / RUNNER_* and the event file', async () => {
    const event = join(dir, 'event.json')
    await writeFile(
      event,
      JSON.stringify({ repository: { html_url: 'https://github.com/octo-org/app', license: { spdx_id: 'Apache-2.0' }, description: 'An app' } })
    )
    const ci = await readCiContext({ env: cleanEnv(githubEnv(event)), cwd: dir })
    expect(ci).toEqual({
      provider: 'github',
      repository: 'octo-org/app',
      repositoryUrl: 'https://github.com/octo-org/app',
      commit: SHA,
      ref: 'refs/tags/v1.2.3',
      refName: 'v1.2.3',
      refType: 'tag',
      serverUrl: 'https://github.com',
      event: 'push',
      workflow: 'release',
      workflowRef: 'octo-org/app/.github/workflows/release.yml@refs/tags/v1.2.3',
      job: 'build',
      runId: '9876543210',
      runNumber: '42',
      runAttempt: '2',
      runUrl: 'https://github.com/octo-org/app/actions/runs/9876543210/attempts/2',
      actor: 'octocat',
      triggeringActor: 'hubot',
      runner: { os: 'Linux', arch: 'X64', environment: 'github-hosted' },
      license: 'Apache-2.0',
      description: 'An app'
    })
  })

  it('uses the context the action passes in, with numbers as @actions/github has them', async () => {
    const github: GitHubContextLike = {
      eventName: 'pull_request',
      sha: SHA,
      ref: 'refs/pull/7/merge',
      workflow: 'ci',
      job: 'build',
      runId: 11,
      runNumber: 3,
      runAttempt: 1,
      actor: 'octocat',
      serverUrl: 'https://ghe.example.com/',
      repo: { owner: 'o', repo: 'r' },
      payload: { pull_request: { number: 7 }, repository: { license: { spdx_id: 'NOASSERTION' } } }
    }
    const ci = await readCiContext({ env: cleanEnv({ GITHUB_REF_TYPE: 'branch' }), cwd: dir, github })
    expect(ci).toMatchObject({
      provider: 'github',
      repositoryUrl: 'https://ghe.example.com/o/r',
      refType: 'pull', // GITHUB_REF_TYPE says branch for pull requests; the ref says more
      refName: '7/merge',
      runUrl: 'https://ghe.example.com/o/r/actions/runs/11/attempts/1',
      pullRequest: 7
    })
    expect(ci.license).toBeUndefined()
  })

  it('githubContextFromEnv: undefined off GitHub, empty payload for a missing event file', () => {
    expect(githubContextFromEnv({ GITHUB_REPOSITORY: 'o/r' })).toBeUndefined()
    const ctx = githubContextFromEnv(githubEnv(join(dir, 'missing.json')))
    expect(ctx).toMatchObject({ repo: { owner: 'octo-org', repo: 'app' }, runId: '9876543210', payload: {} })
  })
})

describe('GitLab CI', () => {
  const base = {
    GITLAB_CI: 'true',
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_PROJECT_PATH: 'group/sub/app',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/sub/app',
    CI_COMMIT_SHA: SHA,
    CI_PIPELINE_ID: '1001',
    CI_PIPELINE_IID: '77',
    CI_PIPELINE_URL: 'https://gitlab.example.com/group/sub/app/-/pipelines/1001',
    CI_PIPELINE_SOURCE: 'push',
    CI_CONFIG_PATH: '.gitlab-ci.yml',
    CI_JOB_ID: '5005',
    CI_JOB_NAME: 'build-image',
    CI_JOB_URL: 'https://gitlab.example.com/group/sub/app/-/jobs/5005',
    GITLAB_USER_LOGIN: 'alice',
    CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64'
  }
  it.each([
    ['a tag pipeline', { CI_COMMIT_TAG: 'v2.0.0', CI_COMMIT_REF_NAME: 'v2.0.0' }, { ref: 'refs/tags/v2.0.0', refType: 'tag', refName: 'v2.0.0' }],
    ['a branch pipeline', { CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main' }, { ref: 'refs/heads/main', refType: 'branch', refName: 'main' }],
    [
      'a merge request pipeline',
      { CI_MERGE_REQUEST_IID: '12', CI_COMMIT_REF_NAME: 'feature/x' },
      { ref: 'refs/merge-requests/12/head', refType: 'pull', refName: 'feature/x', pullRequest: 12 }
    ]
  ])('%s', async (_name, vars, expected) => {
    const ci = await readCiContext({ env: cleanEnv({ ...base, ...vars }), cwd: dir })
    expect(ci).toMatchObject({
      provider: 'gitlab',
      repository: 'group/sub/app',
      repositoryUrl: 'https://gitlab.example.com/group/sub/app',
      commit: SHA,
      event: 'push',
      job: 'build-image',
      jobId: '5005',
      runId: '1001',
      runNumber: '77',
      runUrl: 'https://gitlab.example.com/group/sub/app/-/pipelines/1001',
      actor: 'alice',
      runner: { os: 'linux', arch: 'amd64' },
      ...expected
    })
    expect(ci.workflowRef).toBe(`group/sub/app/.gitlab-ci.yml@${expected.ref}`)
  })
})

describe('git in the working directory', () => {
  function git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8'
    }).trim()
  }

  it('reads the commit, the branch and the remote with its credentials stripped', async () => {
    git('init', '-q', '-b', 'feature/x')
    await writeFile(join(dir, 'f'), 'x')
    git('add', 'f')
    git('commit', '-q', '-m', 'one')
    git('remote', 'add', 'origin', 'https://oauth2:glpat-SECRETSECRETSECRETSE@gitlab.example.com/g/app.git')
    const head = git('rev-parse', 'HEAD')
    const ci = await readCiContext({ env: cleanEnv(), cwd: dir })
    expect(ci).toEqual({
      provider: 'git',
      repository: 'g/app',
      repositoryUrl: 'https://gitlab.example.com/g/app',
      commit: head,
      ref: 'refs/heads/feature/x',
      refName: 'feature/x',
      refType: 'branch'
    })
    expect(JSON.stringify(ci)).not.toContain('SECRET')
  })

  it('names a detached HEAD by the tag that points at it', async () => {
    git('init', '-q', '-b', 'main')
    git('commit', '-q', '--allow-empty', '-m', 'one')
    git('tag', 'v0.1.0')
    git('checkout', '-q', '--detach', 'v0.1.0')
    const ci = await readCiContext({ env: cleanEnv(), cwd: dir })
    expect(ci).toMatchObject({ provider: 'git', ref: 'refs/tags/v0.1.0', refName: 'v0.1.0', refType: 'tag' })
    expect(ci.repositoryUrl).toBeUndefined()
  })

  it("is 'none' outside a repository", async () => {
    expect(await readCiContext({ env: cleanEnv(), cwd: dir })).toEqual({ provider: 'none' })
  })
})

describe('webUrlOfRemote', () => {
  it.each([
    ['https://user:tok@github.com/o/r.git', 'https://github.com/o/r'],
    ['git@github.com:o/r.git', 'https://github.com/o/r'],
    ['ssh://git@gitlab.example.com:2222/g/s/r.git', 'https://gitlab.example.com/g/s/r'],
    ['http://host:8080/o/r/', 'http://host:8080/o/r'],
    ['/srv/git/r.git', undefined],
    ['file:///srv/git/r.git', undefined]
  ])('%s → %s', (remote, url) => {
    expect(webUrlOfRemote(remote)).toBe(url)
  })
})

describe('nowFromEnv', () => {
  const clock = () => new Date('2030-01-02T03:04:05.678Z')
  it.each([
    [undefined, '2030-01-02T03:04:05.678Z'],
    ['', '2030-01-02T03:04:05.678Z'],
    ['0', '1970-01-01T00:00:00.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    [' 1700000000 ', '2023-11-14T22:13:20.000Z']
  ])('SOURCE_DATE_EPOCH=%p → %s', (value, iso) => {
    expect(nowFromEnv(value === undefined ? {} : { SOURCE_DATE_EPOCH: value }, clock).toISOString()).toBe(iso)
  })
  it.each(['yesterday', '-1', '1.5', '1e9', '0x10'])('refuses SOURCE_DATE_EPOCH=%p as a usage error', value => {
    let err: unknown
    try {
      nowFromEnv({ SOURCE_DATE_EPOCH: value }, clock)
    } catch (e) {
      err = e
    }
    expect(isOciError(err, 'INVALID_INPUT')).toBe(true)
    expect((err as Error).message).toContain('SOURCE_DATE_EPOCH')
  })
})
