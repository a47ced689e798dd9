/** A CI context and image shared by the metadata tests. */
import type { CiContext } from '../../src/metadata/ci-context.js'
import type { ImageFacts } from '../../src/metadata/document.js'

export const SHA = '4f1c2a7d9e0b8c6a5f3e2d1c0b9a8f7e6d5c4b3a'
export const IMAGE_DIGEST = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270'

export const githubCi: CiContext = {
  provider: 'github',
  repository: 'octo-org/app',
  repositoryUrl: 'https://github.com/octo-org/app',
  commit: SHA,
  ref: 'refs/heads/feature/new-ui',
  refName: 'feature/new-ui',
  refType: 'branch',
  serverUrl: 'https://github.com',
  event: 'push',
  workflow: 'build',
  workflowRef: 'octo-org/app/.github/workflows/build.yml@refs/heads/feature/new-ui',
  job: 'image',
  runId: '9876543210',
  runNumber: '42',
  runAttempt: '1',
  runUrl: 'https://github.com/octo-org/app/actions/runs/9876543210/attempts/1',
  actor: 'octocat',
  triggeringActor: 'octocat',
  runner: { os: 'Linux', arch: 'X64', environment: 'github-hosted' },
  license: 'MIT',
  description: 'An app'
}

export const image: ImageFacts = {
  original: 'ghcr.io/octo-org/app:1.4',
  registry: 'ghcr.io',
  repository: 'octo-org/app',
  name: 'ghcr.io/octo-org/app',
  tag: '1.4',
  digest: IMAGE_DIGEST,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  size: 1609,
  platforms: [
    { os: 'linux', architecture: 'amd64', digest: `sha256:${'a'.repeat(64)}` },
    { os: 'linux', architecture: 'arm64', variant: 'v8', digest: `sha256:${'b'.repeat(64)}` }
  ]
}

export const CREATED = new Date('2024-05-14T09:12:44Z')
