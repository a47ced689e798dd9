/**
 * A registry that loses referrers (the in-process registry's fault mode racyReferrersIndex: its
 * referrers index is a read-modify-write inside the registry, so manifests of one subject pushed at
 * once lose each other's entries, as one spec-faithful registry does). 20 multi-platform attaches
 * (platforms: each, an SBOM and provenance), four matrix legs at a time on one image index, as a
 * matrix job runs them: every attach exits verified, and afterwards every referrer each wrote is
 * listed by the API, on the index and on each platform. Drops happen (the legs' pushes overlap);
 * the read-back pushes a dropped referrer again (src/attach/repair.ts).
 */
import { join } from 'node:path'
import { pushTestIndex } from '../../__fixtures__/builders.js'
import { startTestRegistry, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { parseInputs } from '../../src/inputs.js'
import { silentLogger, type Logger } from '../../src/log.js'
import { MediaType } from '../../src/oci/media-types.js'
import { platformLabel } from '../../src/result.js'
import { run, type AttachResult } from '../../src/run.js'
import { resultOf } from '../run/helpers.js'

const ROUNDS = 5
const LEGS = 4
const SBOM = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')

/** One GitHub job: the matrix legs share run, attempt, job and step; the leg's metadata differs. */
const ENV: NodeJS.ProcessEnv = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_WORKFLOW: 'build',
  GITHUB_JOB: 'build',
  GITHUB_ACTION: '__acme_oci-build-metadata',
  GITHUB_RUN_ID: '3000',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/heads/main'
}

let reg: TestRegistry
afterAll(async () => {
  await reg?.close()
})

async function listed(repo: string, digest: string): Promise<Set<string>> {
  const r = await fetch(`${reg.url}/v2/${repo}/referrers/${digest}`, { headers: { accept: MediaType.ImageIndex } })
  return new Set(((await r.json()) as { manifests: Array<{ digest: string }> }).manifests.map(d => d.digest))
}

test(`${ROUNDS * LEGS} multi-platform attaches with SBOM and provenance on a registry that drops referrers: all verified, none lost`, async () => {
  reg = await startTestRegistry({ racyReferrersIndex: { windowMs: 5 } })
  const repo = 'lossy/app'
  const { index, platforms } = await pushTestIndex(reg.host, repo, 'v1')
  const subjectOf = new Map<string, string>([['', index.digest], ...platforms.map(p => [platformLabel(p), p.digest] as [string, string])])
  let repushes = 0
  const logger: Logger = { ...silentLogger, info: m => void (/pushing the same manifest again/.test(m) && repushes++) }

  const results: Array<{ label: string; result?: AttachResult; error?: string }> = []
  for (let round = 0; round < ROUNDS; round++) {
    const legs = await Promise.all(
      Array.from({ length: LEGS }, async (_, leg) => {
        const label = `round ${round} leg ${leg}`
        const inputs = parseInputs({
          image: `${reg.host}/${repo}@${index.digest}`,
          platforms: 'each',
          sbom: SBOM,
          provenance: 'true',
          metadata: JSON.stringify({ round, leg }),
          summary: 'false',
          'verify-timeout': '10',
          matrix: JSON.stringify({ leg })
        })
        try {
          // legs of a matrix start within moments of each other, not in lockstep
          await new Promise(r => setTimeout(r, leg * 15))
          return { label, result: resultOf(await run(inputs, { logger, env: ENV, cwd: '/' }), 'attach') }
        } catch (e) {
          return { label, error: String(e) }
        }
      })
    )
    results.push(...legs)
  }

  const failed = results.filter(r => !r.result?.verified).map(r => `${r.label}: ${r.error ?? r.result?.problems.join('; ')}`)
  expect(failed).toEqual([])
  // every referrer each attach wrote is listed afterwards, on the subject it was written to
  const missing: string[] = []
  for (const r of results) {
    for (const a of r.result?.attachments ?? []) {
      const scope = a.label.startsWith('metadata ') ? a.label.slice('metadata '.length) : ''
      const subject = subjectOf.get(scope) as string
      if (!(await listed(repo, subject)).has(a.digest)) missing.push(`${r.label}: ${a.label} ${a.digest}`)
    }
  }
  expect(missing).toEqual([])
  // each attach wrote metadata, an SBOM and provenance on the index and metadata on both platforms
  expect(results.map(r => r.result?.attachments.length)).toEqual(Array(ROUNDS * LEGS).fill(5))
  expect((await listed(repo, index.digest)).size).toBe(ROUNDS * LEGS * 3)
  // the registry did drop some: the repair was needed, not merely present
  expect(repushes).toBeGreaterThan(0)
}, 180_000)
