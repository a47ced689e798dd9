import { isOciError } from '../../src/errors.js'
import { buildDocument, versionOf } from '../../src/metadata/document.js'
import type { CiContext } from '../../src/metadata/ci-context.js'
import { buildMetadataSchema } from '../../src/metadata/schema.js'
import { CREATED, IMAGE_DIGEST, SHA, githubCi, image } from './sample.js'

describe('buildDocument', () => {
  it('builds the whole v1 document from CI context, image and user fields', () => {
    const doc = buildDocument({ ci: githubCi, image, user: { team: 'platform' }, created: CREATED })
    expect(doc).toEqual({
      schemaVersion: 1,
      created: '2024-05-14T09:12:44.000Z',
      image,
      source: {
        repository: 'octo-org/app',
        url: 'https://github.com/octo-org/app',
        commit: SHA,
        ref: 'refs/heads/feature/new-ui',
        refName: 'feature/new-ui',
        refType: 'branch'
      },
      ci: {
        provider: 'github',
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
        runner: { os: 'Linux', arch: 'X64', environment: 'github-hosted' }
      },
      opencontainers: {
        'org.opencontainers.image.created': '2024-05-14T09:12:44.000Z',
        'org.opencontainers.image.source': 'https://github.com/octo-org/app',
        'org.opencontainers.image.url': 'https://github.com/octo-org/app',
        'org.opencontainers.image.revision': SHA,
        'org.opencontainers.image.version': '1.4',
        'org.opencontainers.image.ref.name': '1.4',
        'org.opencontainers.image.title': 'app',
        'org.opencontainers.image.description': 'An app',
        'org.opencontainers.image.licenses': 'MIT'
      },
      user: { team: 'platform' }
    })
    expect(buildMetadataSchema.safeParse(doc).success).toBe(true)
  })

  it('keeps the reference exactly as given next to the normalized name and digest', () => {
    const doc = buildDocument({
      ci: { provider: 'none' },
      image: { ...image, original: 'kimai/kimai2:apache', registry: 'docker.io', repository: 'kimai/kimai2', name: 'docker.io/kimai/kimai2', tag: 'apache' },
      created: CREATED
    })
    expect(doc.image).toMatchObject({ original: 'kimai/kimai2:apache', name: 'docker.io/kimai/kimai2', tag: 'apache', digest: IMAGE_DIGEST })
  })

  it('works with no CI at all and an OCI layout (empty registry)', () => {
    const doc = buildDocument({
      ci: { provider: 'none' },
      image: {
        original: 'oci:./out:v1',
        registry: '',
        repository: '/abs/out',
        name: 'oci:/abs/out',
        tag: 'v1',
        digest: IMAGE_DIGEST,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 0
      },
      created: CREATED
    })
    expect(doc.source).toEqual({})
    expect(doc.ci).toEqual({ provider: 'none' })
    expect(doc.image.registry).toBe('')
    expect(doc.image.size).toBe(0)
    expect(doc.user).toBeUndefined()
    expect(doc.opencontainers).toEqual({
      'org.opencontainers.image.created': '2024-05-14T09:12:44.000Z',
      'org.opencontainers.image.version': 'v1',
      'org.opencontainers.image.ref.name': 'v1'
    })
  })

  it('drops URLs that are not http(s) rather than store them', () => {
    const doc = buildDocument({ ci: { ...githubCi, repositoryUrl: 'file:///srv/r', runUrl: 'not a url' }, image, created: CREATED })
    expect(doc.source.url).toBeUndefined()
    expect(doc.ci.runUrl).toBeUndefined()
  })

  it('refuses an image without a valid digest', () => {
    expect(() => buildDocument({ ci: githubCi, image: { ...image, digest: 'latest' }, created: CREATED })).toThrow(/image\.digest/)
    let err: unknown
    try {
      buildDocument({ ci: githubCi, image, created: new Date('nope') })
    } catch (e) {
      err = e
    }
    expect(isOciError(err, 'INVALID_INPUT')).toBe(true)
  })
})

describe('versionOf (docker/metadata-action order)', () => {
  const ci = (o: Partial<CiContext>): CiContext => ({ provider: 'github', ...o })
  it.each([
    ['git tag wins over the image tag', ci({ refType: 'tag', refName: 'v1.2.3' }), 'latest', 'v1.2.3'],
    ['image tag', ci({ refType: 'branch', refName: 'main' }), '1.4', '1.4'],
    ['latest is not a version: branch', ci({ refType: 'branch', refName: 'main' }), 'latest', 'main'],
    ['branch made tag-safe', ci({ refType: 'branch', refName: 'feature/new ui' }), undefined, 'feature-new-ui'],
    ['pull request', ci({ refType: 'pull', refName: '7/merge', pullRequest: 7 }), undefined, 'pr-7'],
    ['nothing known but latest', ci({}), 'latest', 'latest'],
    ['nothing known', ci({}), undefined, undefined]
  ])('%s', (_n, c, tag, expected) => {
    expect(versionOf(c, tag)).toBe(expected)
  })
})

const AGE = '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n'

describe('buildMetadataSchema', () => {
  const doc = buildDocument({ ci: githubCi, image, created: CREATED })
  it.each([
    ['unknown top-level field', { ...doc, extra: 1 }],
    ['schemaVersion 3', { ...doc, schemaVersion: 3 }],
    ['a private part under schemaVersion 1', { ...doc, private: { version: 1, format: 'age', ciphertext: AGE } }],
    ['a private part that is not age', { ...doc, schemaVersion: 2, private: { version: 1, format: 'age', ciphertext: 'INC-4711' } }],
    ['timestamp with offset', { ...doc, created: '2024-05-14T11:12:44+02:00' }],
    ['unknown image field', { ...doc, image: { ...doc.image, foo: 'x' } }],
    ['bad refType', { ...doc, source: { ...doc.source, refType: 'branchy' } }],
    ['non-standard opencontainers key', { ...doc, opencontainers: { 'com.example.x': 'y' } }],
    ['negative size', { ...doc, image: { ...doc.image, size: -1 } }]
  ])('rejects %s', (_n, bad) => {
    expect(buildMetadataSchema.safeParse(bad).success).toBe(false)
  })
})
