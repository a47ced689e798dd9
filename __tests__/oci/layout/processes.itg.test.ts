// Several processes writing one OCI layout at once: the lock file beside index.json serializes them,
// so no tag or referrer is lost (the in-process lock alone cannot see other processes).
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { copyFixtureLayout, FIXTURE } from '../../../__fixtures__/layout.js'
import { runCli } from '../../../__fixtures__/action-runner.js'
import { ArtifactType } from '../../../src/oci/media-types.js'

const WRITERS = 6

test(`${WRITERS} CLI processes attaching to one layout at once lose nothing`, async () => {
  const dir = await copyFixtureLayout()
  const image = `oci:${dir}:v1`
  const env = (i: number) => ({
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: `job-${i}`
  })
  const runs = await Promise.all(Array.from({ length: WRITERS }, (_, i) => runCli(['attach', image, '--json'], env(i))))
  for (const r of runs) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
  const written = runs.map(r => JSON.parse(r.stdout)['artifact-digest'] as string)
  expect(new Set(written).size).toBe(WRITERS)

  const d = await runCli(['discover', image, '--json'])
  // discover --json has the shape of oras discover --format json: the subject's referrers under manifests
  const listed = (JSON.parse(d.stdout).manifests as Array<{ digest: string; artifactType: string }>)
    .filter(x => x.artifactType === ArtifactType.BuildMetadataV1)
    .map(x => x.digest)
  expect(listed.sort()).toEqual([...written].sort())

  // the fallback tag (for tools that read the tag schema) holds every one too
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> }
  const tag = index.manifests.find(m => m.annotations?.['org.opencontainers.image.ref.name'] === `sha256-${FIXTURE.v1.slice(7)}`)!
  const fallback = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', tag.digest.slice(7)), 'utf8')) as { manifests: Array<{ digest: string }> }
  expect(fallback.manifests.map(m => m.digest).sort()).toEqual([...written].sort())
  await expect(stat(join(dir, 'index.json.lock'))).rejects.toThrow()
})
