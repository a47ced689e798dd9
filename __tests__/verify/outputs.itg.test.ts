/**
 * The gate's outputs name the document that passed: the newest that meets every condition, not the
 * first one listed. Two builds attached to one image (a rebuild, a re-tag), listed oldest first as a
 * registry lists them; through the bundled CLI and action, on distribution and on the referrers API.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { githubEnv, runAction, runCli } from '../../__fixtures__/action-runner.js'
import { pushTestImage } from '../../__fixtures__/builders.js'
import { REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'

const OLD = '1111111111111111111111111111111111111111'
const NEW = '2222222222222222222222222222222222222222'
const DAY = 86400

interface Report {
  'artifact-digest'?: string
  metadata?: { source: { commit?: string }; created: string }
  gate?: Array<{ requirement: string; found: boolean; evidence?: string; passedOver?: Array<{ by: string; reason: string }> }>
  attachments?: Array<{ kind: string; digest: string }>
}
const parse = (s: string) => JSON.parse(s) as Report

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  /** commit 1111 attached three days ago, then commit 2222 now: the old document is listed first */
  async function twoBuilds(repo: string) {
    const reg = registry()
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const dir = await mkdtemp(join(tmpdir(), 'obm-two-'))
    const old = await runCli(['attach', image, '--json'], {
      ...(await githubEnv(dir, { GITHUB_SHA: OLD, GITHUB_RUN_ID: '1' })),
      SOURCE_DATE_EPOCH: String(Math.floor(Date.now() / 1000) - 3 * DAY)
    })
    const now = await runCli(['attach', image, '--json'], await githubEnv(dir, { GITHUB_SHA: NEW, GITHUB_RUN_ID: '2' }))
    expect([old.code, now.code]).toEqual([0, 0])
    const artifact = (r: { stdout: string }) => parse(r.stdout)['artifact-digest']
    return { image, oldArtifact: artifact(old), newArtifact: artifact(now) }
  }

  test('--revision of the newer build: the outputs carry its document and artifact, and say why the other was not taken', async () => {
    const { image, oldArtifact, newArtifact } = await twoBuilds('two-docs/revision')
    const r = await runCli(['verify', image, '--revision', NEW, '--json'])
    expect(r.code).toBe(0)
    const out = parse(r.stdout)
    expect(out.metadata?.source.commit).toBe(NEW)
    expect(out['artifact-digest']).toBe(newArtifact)
    expect(out.gate?.[0]).toMatchObject({ requirement: 'metadata', found: true, evidence: newArtifact })
    expect(out.gate?.[0]?.passedOver).toEqual([{ by: expect.stringContaining(oldArtifact!), reason: `its commit ${OLD} is not the required revision ${NEW}` }])
    // and the older build, when it is the one asked for
    const older = parse((await runCli(['verify', image, '--revision', OLD, '--json'])).stdout)
    expect([older.metadata?.source.commit, older['artifact-digest']]).toEqual([OLD, oldArtifact])
  })

  test('--max-age: only a young enough document is taken and reported; without conditions, the newest', async () => {
    const { image, newArtifact } = await twoBuilds('two-docs/max-age')
    const young = await runCli(['verify', image, '--max-age', '1d', '--json'])
    expect(young.code).toBe(0)
    expect(parse(young.stdout).metadata?.source.commit).toBe(NEW)
    expect(parse(young.stdout)['artifact-digest']).toBe(newArtifact)
    const newest = parse((await runCli(['verify', image, '--json'])).stdout)
    expect(newest.metadata?.source.commit).toBe(NEW)
    expect(newest.gate?.[0]?.passedOver?.[0]?.reason).toMatch(/^an older document than the one taken/)
    const none = await runCli(['verify', image, '--max-age', '1d', '--revision', OLD, '--json'])
    expect(none.code).toBe(1)
  })

  test('the action: steps.gate.outputs.metadata is the document that passed', async () => {
    const { image, newArtifact } = await twoBuilds('two-docs/action')
    const r = await runAction({ image, command: 'verify', revision: NEW })
    expect(r.code).toBe(0)
    expect((JSON.parse(r.outputs.metadata ?? '{}') as Report['metadata'])?.source.commit).toBe(NEW)
    expect(r.outputs['artifact-digest']).toBe(newArtifact)
  })
})
