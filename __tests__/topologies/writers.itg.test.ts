/**
 * Writers of one job, through the bundled action, with the environment each topology really has on
 * a GitHub runner:
 * - matrix legs: the same GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB and GITHUB_ACTION (the step);
 *   only RUNNER_NAME, the leg's inputs and the `matrix` input (action.yml's default
 *   `${{ toJSON(matrix) }}`, evaluated by the runner) differ;
 * - two steps of one job: the same run and job, GITHUB_ACTION `__owner_repo` then `__owner_repo_2`;
 * - "re-run failed jobs": attempt 2 runs one leg only, everything else as in attempt 1.
 * Each against distribution (tag schema) and the in-process registry (referrers API, deletes), and
 * asserted from outside, listing the referrers as a consumer would.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../../__fixtures__/action-runner.js'
import { pushTestImage } from '../../__fixtures__/builders.js'
import { pushForeignReferrer, REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import type { Descriptor } from '../../src/oci/types.js'

const PREFIX = 'dev.oci-build-metadata'
const ours = (ds: Descriptor[]) => ds.filter(d => d.artifactType === ArtifactType.BuildMetadataV1)
const digests = (ds: Descriptor[]) => ds.map(d => d.digest).sort()

function expectVerified(r: ActionRun): string {
  expect({ code: r.code, errors: r.errors, verified: r.outputs.verified }).toEqual({ code: 0, errors: [], verified: 'true' })
  return r.outputs['artifact-digest'] as string
}

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  test('4 matrix legs attach to one image at once: 4 of 4 listed, the foreign entry kept', async () => {
    const reg = registry()
    const repo = 'matrix/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const foreign = await pushForeignReferrer(reg, repo, img)
    const legs = await Promise.all(
      [0, 1, 2, 3].map(leg =>
        runAction(
          { image: `${reg.host}/${repo}@${img.digest}`, metadata: JSON.stringify({ leg }) },
          { RUNNER_NAME: `GitHub Actions ${leg + 10}` },
          { matrix: { leg } }
        )
      )
    )
    const written = legs.map(expectVerified)
    const listed = await reg.referrers(repo, img.digest)
    expect(digests(ours(listed))).toEqual([...written].sort())
    expect(listed.map(d => d.digest)).toContain(foreign.digest)
    for (const d of written) expect(await reg.exists(repo, d)).toBe(true)
    // every leg's artifact says which attempt wrote it
    expect(ours(listed).map(d => d.annotations?.[`${PREFIX}.attempt`])).toEqual(['1', '1', '1', '1'])
  })

  test('two steps of one job (build metadata, then test results): both kept', async () => {
    const reg = registry()
    const repo = 'steps/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const work = await mkdtemp(join(tmpdir(), 'obm-steps-'))
    await writeFile(join(work, 'test-results.json'), JSON.stringify({ tests: 845, failed: 0 }))
    const build = await runAction({ image: `${reg.host}/${repo}@${img.digest}`, metadata: '{"stage": "build"}' }, {}, { cwd: work })
    const tests = await runAction(
      { image: `${reg.host}/${repo}@${img.digest}`, 'metadata-file': 'test-results.json' },
      { GITHUB_ACTION: '__acme_oci-build-metadata_2' },
      { cwd: work }
    )
    const written = [expectVerified(build), expectVerified(tests)]
    expect(digests(ours(await reg.referrers(repo, img.digest)))).toEqual(written.sort())
  })

  test("attempt 2 re-runs leg 0 of 2: it replaces only leg 0's earlier artifact and leaves leg 1's", async () => {
    const reg = registry()
    const repo = 'rerun/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const leg = (n: number, attempt: string) =>
      runAction(
        { image: `${reg.host}/${repo}@${img.digest}`, metadata: JSON.stringify({ leg: n }) },
        { GITHUB_RUN_ATTEMPT: attempt, RUNNER_NAME: `GitHub Actions ${n + 20}` },
        { matrix: { leg: n } }
      )
    const [leg0a1, leg1a1] = (await Promise.all([leg(0, '1'), leg(1, '1')])).map(expectVerified) as [string, string]
    const leg0a2 = expectVerified(await leg(0, '2'))
    const listed = ours(await reg.referrers(repo, img.digest))
    expect(digests(listed)).toEqual([leg0a2, leg1a1].sort())
    expect(listed.find(d => d.digest === leg0a2)?.annotations?.[`${PREFIX}.attempt`]).toBe('2')
    // where the registry lists referrers itself, the superseded manifest is deleted, not only unlisted
    if (!reg.tagSchema) expect(await reg.exists(repo, leg0a1)).toBe(false)
    expect(await reg.exists(repo, leg1a1)).toBe(true)
  })

  test("legs with identical inputs and no matrix context keep each other's; with writer-id a re-run replaces only its own", async () => {
    const reg = registry()
    const repo = 'cli-legs/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    // nothing tells these two apart (the same inputs, no matrix context, as the CLI in a run: step
    // without --matrix): only the content of their own results.json differs. Both stay.
    const same = await Promise.all(
      [0, 1].map(async n => {
        const cwd = await mkdtemp(join(tmpdir(), 'obm-leg-'))
        await writeFile(join(cwd, 'results.json'), JSON.stringify({ runner: n }))
        return runAction({ image: `${reg.host}/${repo}@${img.digest}`, 'metadata-file': 'results.json' }, {}, { cwd })
      })
    )
    const sameWritten = same.map(expectVerified)
    expect(new Set(sameWritten).size).toBe(2)
    expect(digests(ours(await reg.referrers(repo, img.digest)))).toEqual([...sameWritten].sort())

    const leg = (id: string, attempt: string) => runAction({ image: `${reg.host}/${repo}@${img.digest}`, 'writer-id': id }, { GITHUB_RUN_ATTEMPT: attempt })
    const [amd64, arm64] = (await Promise.all([leg('amd64', '1'), leg('arm64', '1')])).map(expectVerified) as [string, string]
    const amd64again = expectVerified(await leg('amd64', '2'))
    const listed = digests(ours(await reg.referrers(repo, img.digest)))
    expect(listed).toEqual([...sameWritten, arm64, amd64again].sort())
    expect(listed).not.toContain(amd64)
  })
})
