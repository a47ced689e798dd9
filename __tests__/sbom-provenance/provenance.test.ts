import { readFileSync } from 'node:fs'
import { canonicalJson } from '../../src/metadata/canonical.js'
import type { CiContext } from '../../src/metadata/ci-context.js'
import { claimsOf, githubRunFromClaims, githubRunFromEnv } from '../../src/sbom-provenance/github-run.js'
import {
  BUILD_TYPE_V1,
  GITHUB_WORKFLOW_BUILD_TYPE,
  IN_TOTO_STATEMENT_V1,
  LOCAL_BUILDER_ID,
  SLSA_PROVENANCE_V1,
  buildProvenance,
  provenanceAnnotations,
  provenanceBytes,
  splitWorkflowRef
} from '../../src/sbom-provenance/provenance.js'

const SHA = '4f1c2a7d9e0b8c6a5f3e2d1c0b9a8f7e6d5c4b3a'
const HEX = '5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270'

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

describe('buildProvenance outside a GitHub run (our build type)', () => {
  it('is an in-toto Statement v1 with a SLSA v1 predicate about the image, and no build times it did not observe', () => {
    const st = buildProvenance({ subjectName: 'ghcr.io/octo-org/app', subjectDigest: `sha256:${HEX}`, ci: github })
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
          metadata: { invocationId: 'https://github.com/octo-org/app/actions/runs/9876543210/attempts/2' }
        }
      }
    })
    expect(IN_TOTO_STATEMENT_V1).toBe('https://in-toto.io/Statement/v1')
    expect(SLSA_PROVENANCE_V1).toBe('https://slsa.dev/provenance/v1')
  })

  it('works outside CI: local builder, no dependencies without a commit', () => {
    const st = buildProvenance({ subjectName: 'oci:/tmp/layout', subjectDigest: `sha256:${HEX}`, ci: { provider: 'none' } })
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
      }
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
    expect(() => buildProvenance({ subjectName: 'x', subjectDigest: 'latest', ci: github })).toThrow(/invalid digest/)
  })

  it('serializes canonically: same inputs, same bytes', () => {
    const args = { subjectName: 'ghcr.io/octo-org/app', subjectDigest: `sha256:${HEX}`, ci: github }
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

/** A real run: the statement actions/attest made for it, and its OIDC claims (as its certificate records them). */
const real = JSON.parse(readFileSync('__fixtures__/sigstore-github/actions-attest-provenance.json', 'utf8')) as {
  claims: Record<string, string>
  statement: { subject: Array<{ name: string; digest: { sha256: string } }>; predicate: unknown }
}
const realCi: CiContext = { provider: 'github', serverUrl: 'https://github.com', repository: 'github/artifact-attestations-opa-provider' }

describe('buildProvenance on GitHub Actions, as actions/attest writes it', () => {
  it("from the run's OIDC claims: the same predicate actions/attest wrote for that run", () => {
    const run = githubRunFromClaims(real.claims, realCi)
    const st = buildProvenance({
      subjectName: real.statement.subject[0]!.name,
      subjectDigest: `sha256:${real.statement.subject[0]!.digest.sha256}`,
      ci: realCi,
      ...(run ? { github: run } : {})
    })
    expect(st).toEqual(real.statement)
  })

  it('a reusable workflow is the builder; the caller is the workflow parameter', () => {
    const run = githubRunFromClaims(
      {
        ...real.claims,
        repository: 'acme/widget',
        workflow_ref: 'acme/widget/.github/workflows/release.yml@refs/tags/v1',
        job_workflow_ref: 'acme/shared/.github/workflows/build.yml@refs/heads/main'
      },
      realCi
    )
    const st = buildProvenance({ subjectName: 'ghcr.io/acme/widget', subjectDigest: `sha256:${HEX}`, ci: realCi, ...(run ? { github: run } : {}) })
    expect(st.predicate.runDetails.builder.id).toBe('https://github.com/acme/shared/.github/workflows/build.yml@refs/heads/main')
    expect(st.predicate.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/tags/v1',
      repository: 'https://github.com/acme/widget',
      path: '.github/workflows/release.yml'
    })
  })

  it("without a token, from the runner's variables: the caller's workflow ref is the builder", () => {
    const run = githubRunFromEnv({ GITHUB_REPOSITORY_ID: '1', GITHUB_REPOSITORY_OWNER_ID: '2' }, github)
    expect(run).toMatchObject({ from: 'environment', jobWorkflowRef: github.workflowRef, repositoryId: '1', repositoryOwnerId: '2' })
    const st = buildProvenance({ subjectName: 'ghcr.io/octo-org/app', subjectDigest: `sha256:${HEX}`, ci: github, ...(run ? { github: run } : {}) })
    expect(st.predicate.buildDefinition.buildType).toBe(GITHUB_WORKFLOW_BUILD_TYPE)
    expect(st.predicate.runDetails.builder.id).toBe('https://github.com/octo-org/app/.github/workflows/release.yml@refs/tags/v1.2.3')
    expect(st.predicate.buildDefinition.internalParameters).toEqual({
      github: { event_name: 'push', repository_id: '1', repository_owner_id: '2', runner_environment: 'github-hosted' }
    })
  })

  it('reads the claims of a JWT, and nothing from what is not one', () => {
    const jwt = `e30.${Buffer.from(JSON.stringify({ job_workflow_ref: 'a/b/c@d' })).toString('base64url')}.`
    expect(claimsOf(jwt)).toEqual({ job_workflow_ref: 'a/b/c@d' })
    expect(claimsOf('not a token')).toBeUndefined()
  })
})

describe('every provenance we write validates against the SLSA v1 provenance schema', () => {
  const schema = JSON.parse(readFileSync('__fixtures__/slsa/provenance-v1.schema.json', 'utf8')) as object
  const validator = async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js')
    const addFormats = (await import('ajv-formats')).default as unknown as (a: unknown) => void
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(ajv)
    return ajv.compile(schema)
  }
  const run = githubRunFromClaims(real.claims, realCi)
  it.each([
    ['the real actions/attest statement (the schema is not stricter than GitHub)', real.statement],
    ['ours on GitHub', buildProvenance({ subjectName: 'ghcr.io/o/r', subjectDigest: `sha256:${HEX}`, ci: realCi, ...(run ? { github: run } : {}) })],
    ['ours elsewhere', buildProvenance({ subjectName: 'ghcr.io/octo-org/app', subjectDigest: `sha256:${HEX}`, ci: github })],
    ['ours outside CI', buildProvenance({ subjectName: 'oci:/tmp/layout', subjectDigest: `sha256:${HEX}`, ci: { provider: 'none' } })]
  ])('%s', async (_n, statement) => {
    const validate = await validator()
    expect(validate(JSON.parse(canonicalJson(statement)))).toBe(true)
    expect(validate.errors ?? []).toEqual([])
  })
  it('and the schema refuses what the spec forbids: no builder id, a build time that is not a timestamp', async () => {
    const validate = await validator()
    const st = JSON.parse(canonicalJson(buildProvenance({ subjectName: 'x', subjectDigest: `sha256:${HEX}`, ci: github }))) as {
      predicate: { runDetails: { builder: { id?: string }; metadata: Record<string, string> } }
    }
    delete st.predicate.runDetails.builder.id
    expect(validate(st)).toBe(false)
    const late = JSON.parse(canonicalJson(buildProvenance({ subjectName: 'x', subjectDigest: `sha256:${HEX}`, ci: github }))) as typeof st
    late.predicate.runDetails.metadata.startedOn = 'yesterday'
    expect(validate(late)).toBe(false)
  })
})
