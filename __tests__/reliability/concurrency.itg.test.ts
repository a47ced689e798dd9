/**
 * No lost referrers when nothing tells the writers apart: 16 concurrent attaches to one subject with
 * an identical GitHub context (one run, one attempt, one job, one step, no matrix) and identical
 * inputs — each writer's own results.json, in its own working directory, is all that differs — over
 * 5 rounds. On distribution (no referrers API, ignores If-Match) they share the `sha256-<hex>` index;
 * on the in-process registry the API lists them and deletes are served. Every run exits verified,
 * all 80 artifacts are listed once each, and a foreign (cosign-like) entry survives.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pushTestImage } from '../../__fixtures__/builders.js'
import { COSIGN_SIG, pushForeignReferrer, REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'
import { parseInputs } from '../../src/inputs.js'
import { silentLogger } from '../../src/log.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import { run, type AttachResult } from '../../src/run.js'
import { resultOf } from '../run/helpers.js'

const WRITERS = 16
const ROUNDS = 5

/** One GitHub job step, the same for every writer: nothing in it tells them apart. */
const ENV: NodeJS.ProcessEnv = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_WORKFLOW: 'build',
  GITHUB_JOB: 'build',
  GITHUB_ACTION: '__acme_oci-build-metadata',
  GITHUB_RUN_ID: '1000',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/heads/main'
}

async function attach(host: string, repo: string, digest: string, round: number, i: number): Promise<AttachResult> {
  const cwd = await mkdtemp(join(tmpdir(), 'obm-writer-'))
  await writeFile(join(cwd, 'results.json'), JSON.stringify({ round, writer: i }))
  const inputs = parseInputs({ image: `${host}/${repo}@${digest}`, command: 'attach', 'metadata-file': 'results.json', summary: 'false', matrix: 'null' })
  return resultOf(await run(inputs, { logger: silentLogger, env: ENV, cwd }), 'attach')
}

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  test(`${WRITERS} identical writers x ${ROUNDS} rounds: every run verified, 0 lost, no duplicates, the foreign entry kept`, async () => {
    const reg = registry()
    const repo = 'concurrency/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const foreign = await pushForeignReferrer(reg, repo, img)

    const all: string[] = []
    const roundTimes: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = Date.now()
      const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => attach(reg.host, repo, img.digest, round, i)))
      roundTimes.push(Date.now() - t0)
      for (const r of results) {
        expect(r.problems).toEqual([])
        expect(r.verified).toBe(true)
        all.push(r.artifactDigest as string)
      }
      // every entry of this round (and the earlier ones) is still there after all writers are done
      const have = new Set((await reg.referrers(repo, img.digest)).map(d => d.digest))
      expect({ round, lost: all.filter(d => !have.has(d)) }).toEqual({ round, lost: [] })
    }

    const listed = await reg.referrers(repo, img.digest)
    const digests = listed.map(d => d.digest)
    expect(new Set(all).size).toBe(WRITERS * ROUNDS)
    for (const d of all) expect(digests).toContain(d)
    expect(listed.find(d => d.digest === foreign.digest)).toMatchObject({ artifactType: COSIGN_SIG })
    expect(new Set(digests).size).toBe(digests.length) // no duplicates
    expect(digests.length).toBe(WRITERS * ROUNDS + 1)
    // the worst case indeed: all 80 carry one key and one attempt
    const ours = listed.filter(d => d.artifactType === ArtifactType.BuildMetadataV1)
    expect(new Set(ours.map(d => `${d.annotations?.['dev.oci-build-metadata.key']}/${d.annotations?.['dev.oci-build-metadata.attempt']}`)).size).toBe(1)
    // eslint-disable-next-line no-console
    console.log(`concurrency on ${reg.name}: ${WRITERS}x${ROUNDS} identical writers, lost 0/${WRITERS * ROUNDS}, rounds ${roundTimes.join(', ')} ms`)
  }, 120_000)
})
