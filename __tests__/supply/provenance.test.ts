import { canonicalJson } from '../../src/metadata/canonical.js'
import type { CiContext } from '../../src/metadata/context.js'
import {
  BUILD_TYPE_V1,
  IN_TOTO_STATEMENT_V1,
  LOCAL_BUILDER_ID,
  SLSA_PROVENANCE_V1,
  buildProvenance,
  provenanceAnnotations,
  provenanceBytes,
  splitWorkflowRef
} from '../../src/supply/provenance.js'

const SHA = '4f1c2a7d9e0b8c6a5f3e2d1c0b9a8f7e6d5c4b3a'
const HEX = '5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270'
const startedOn = new Date('2024-05-14T09:10:00Z')
const finishedOn = new Date('2024-05-14T09:12:44Z')

const github: CiContext = {
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
  runAttempt: '2',
  runUrl: 'https://github.com/octo-org/app/actions/runs/9876543210/attempts/2',
  runner: { os: 'Linux', arch: 'X64', environment: 'github-hosted' }
}

describe('buildProvenance', () => {
  it('is an in-toto Statement v1 with a SLSA v1 predicate about the image', () => {
    const st = buildProvenance({ subjectName: 'ghcr.io/octo-org/app', subjectDigest: `sha256:${HEX}`, ci: github, startedOn, finishedOn })
    expect(st).toEqual({
      _type: IN_TOTO_STATEMENT_V1,
      subject: [{ name: 'ghcr.io/octo-org/app', digest: { sha256: HEX } }],
      predicateType: SLSA_PROVENANCE_V1,
      predicate: {
        buildDefinition: {
          buildType: BUILD_TYPE_V1,
          externalParameters: {
            workflow: { ref: 'refs/tags/v1.2.3', repository: 'https://github.com/octo-org/app', path: '.github/workflows/release.yml' },
            event: 'push'
          },
          internalParameters: {
            provider: 'github',
            workflow: 'release',
            job: 'build',
            runnerEnvironment: 'github-hosted',
            runnerOs: 'Linux',
            runnerArch: 'X64'
          },
          resolvedDependencies: [{ uri: 'git+https://github.com/octo-org/app@refs/tags/v1.2.3', digest: { gitCommit: SHA } }]
        },
        runDetails: {
          builder: { id: 'https://github.com/octo-org/app/.github/workflows/release.yml@refs/tags/v1.2.3' },
          metadata: {
            invocationId: 'https://github.com/octo-org/app/actions/runs/9876543210/attempts/2',
            startedOn: '2024-05-14T09:10:00.000Z',
            finishedOn: '2024-05-14T09:12:44.000Z'
          }
        }
      }
    })
    expect(IN_TOTO_STATEMENT_V1).toBe('https://in-toto.io/Statement/v1')
    expect(SLSA_PROVENANCE_V1).toBe('https://slsa.dev/provenance/v1')
  })

  it('works outside CI: local builder, no dependencies without a commit', () => {
    const st = buildProvenance({ subjectName: 'oci:/tmp/layout', subjectDigest: `sha256:${HEX}`, ci: { provider: 'none' }, startedOn, finishedOn })
    expect(st.predicate.runDetails.builder.id).toBe(LOCAL_BUILDER_ID)
    expect(st.predicate.buildDefinition.resolvedDependencies).toEqual([])
    expect(st.predicate.buildDefinition.externalParameters).toEqual({ workflow: {} })
    expect(st.predicate.runDetails.metadata.invocationId).toBeUndefined()
  })

  it('takes a GitLab context: deep project path, pipeline URL as invocation', () => {
    const st = buildProvenance({
      subjectName: 'registry.gitlab.com/g/s/app',
      subjectDigest: `sha256:${HEX}`,
      ci: {
        provider: 'gitlab',
        repository: 'g/s/app',
        repositoryUrl: 'https://gitlab.com/g/s/app',
        commit: SHA,
        ref: 'refs/heads/main',
        serverUrl: 'https://gitlab.com',
        workflowRef: 'g/s/app/ci/build.yml@refs/heads/main',
        runUrl: 'https://gitlab.com/g/s/app/-/pipelines/1'
      },
      startedOn,
      finishedOn
    })
    expect(st.predicate.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/heads/main',
      repository: 'https://gitlab.com/g/s/app',
      path: 'ci/build.yml'
    })
    expect(st.predicate.runDetails.builder.id).toBe('https://gitlab.com/g/s/app/ci/build.yml@refs/heads/main')
    expect(st.predicate.runDetails.metadata.invocationId).toBe('https://gitlab.com/g/s/app/-/pipelines/1')
  })

  it('refuses a subject that is not a digest', () => {
    expect(() => buildProvenance({ subjectName: 'x', subjectDigest: 'latest', ci: github, startedOn, finishedOn })).toThrow(/invalid digest/)
  })

  it('serializes canonically: same inputs, same bytes', () => {
    const args = { subjectName: 'ghcr.io/octo-org/app', subjectDigest: `sha256:${HEX}`, ci: github, startedOn, finishedOn }
    const bytes = provenanceBytes(buildProvenance(args))
    expect(Buffer.from(bytes).toString()).toBe(canonicalJson(buildProvenance(args)))
    expect(JSON.parse(Buffer.from(bytes).toString())._type).toBe(IN_TOTO_STATEMENT_V1)
  })
})

describe('splitWorkflowRef', () => {
  it.each([
    ['o/r/.github/workflows/b.yml@refs/heads/main', undefined, { path: '.github/workflows/b.yml', ref: 'refs/heads/main' }],
    ['g/s/app/.gitlab-ci.yml@refs/tags/v1', 'g/s/app', { path: '.gitlab-ci.yml', ref: 'refs/tags/v1' }],
    ['o/r/.github/workflows/b.yml', undefined, { path: '.github/workflows/b.yml', ref: undefined }]
  ])('%s', (wr, repo, expected) => {
    expect(splitWorkflowRef(wr, repo)).toEqual(expected)
  })
})

it('provenanceAnnotations name the predicate type', () => {
  expect(provenanceAnnotations('2024-05-14T09:12:44Z')).toEqual({
    'in-toto.io/predicate-type': SLSA_PROVENANCE_V1,
    'org.opencontainers.image.created': '2024-05-14T09:12:44Z'
  })
})
