/**
 * A tag moves only forward (src/attach/tag-guard.ts), on Debian's distribution over real HTTP: two
 * pipelines pushed one tag, so `app:v1` went from build OLD to build NEW; annotating OLD by digest
 * under `v1` must not take the tag back to OLD. Where the tag still points at the subject, it moves,
 * and the CLI's normal output and the job summary say so. The in-process registry adds what
 * distribution cannot time: someone moving the tag between our push and our read-back.
 */
import { join } from 'node:path'
import { runAction } from '../../__fixtures__/action-runner.js'
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { pushTestImage, remote } from '../../__fixtures__/builders.js'
import { startTestRegistry, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { cliMain } from '../../src/cli-main.js'
import { decodeDocument } from '../../src/metadata/codec.js'
import { MediaType } from '../../src/oci/media-types.js'
import { parseManifest } from '../../src/oci/types.js'
import { snapshotDir } from '../reliability/bad-input-helpers.js'

let dist: Distribution
beforeAll(async () => {
  dist = await startDistribution()
})
afterAll(async () => {
  await dist?.stop()
})

/** The CLI as a user runs it, without --verbose, outside any CI. */
async function cli(argv: string[]): Promise<{ code: number; out: string; errLines: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await cliMain(argv, { stdout: s => out.push(s), stderr: s => err.push(s), env: { PATH: process.env.PATH }, cwd: '/', readStdin: () => '' })
  return {
    code,
    out: out.join(''),
    errLines: err
      .join('')
      .split('\n')
      .filter(l => l.trim())
  }
}

const tagOf = async (image: string, tag: string) => (await remote(image).fetchManifest(tag)).descriptor.digest

test('v1 moved from OLD to NEW: annotating OLD under v1 exits 1 with one line, v1 stays at NEW, nothing is written', async () => {
  const image = `${dist.host}/moved/app:v1`
  const old = await pushTestImage(dist.host, 'moved/app', 'v1', 'build OLD')
  const fresh = await pushTestImage(dist.host, 'moved/app', 'v1', 'build NEW')
  const storage = join(dist.dir, 'storage')
  const before = await snapshotDir(storage)

  const r = await cli(['attach', image, `--digest=${old.digest}`, '--mode=annotations'])
  expect(r.code).toBe(1)
  expect(r.out).toBe('')
  expect(r.errLines).toEqual([
    `error: annotations mode: tag v1 of ${dist.host}/moved/app now points at ${fresh.digest}, not at ${old.digest}, the image being annotated; moving it ` +
      `would take v1 back to that image, so nothing was written. To annotate ${old.digest} anyway, give image: ${dist.host}/moved/app@${old.digest} ` +
      '(pushed by digest, no tag moved) and tag the new digest yourself if you mean to.'
  ])
  expect(await tagOf(image, 'v1')).toBe(fresh.digest)
  // no manifest, blob or tag was added to distribution's storage
  expect(await snapshotDir(storage)).toEqual(before)

  // what the line says to do works: by digest, nothing moves
  const byDigest = await cli(['attach', `${dist.host}/moved/app@${old.digest}`, '--mode=annotations'])
  expect(byDigest.code).toBe(0)
  expect(await tagOf(image, 'v1')).toBe(fresh.digest)
})

test('v1 still at the subject: the tag moves, and the normal output says from where to where', async () => {
  const image = `${dist.host}/still/app:v1`
  const img = await pushTestImage(dist.host, 'still/app', 'v1')
  const r = await cli(['attach', image, `--digest=${img.digest}`, '--mode=annotations'])
  expect(r.errLines).toEqual([])
  expect(r.code).toBe(0)
  const now = await tagOf(image, 'v1')
  expect(now).not.toBe(img.digest)
  expect(r.out).toContain(`\nnote: tag v1 moved from ${img.digest} to ${now}; the image digest changed from ${img.digest} to ${now}`)
  expect(r.out).toContain(`image digest:   ${now}  (changed)`)

  // a re-run with the same digest: v1 points at our own annotation of that image, so it moves on
  const again = await cli(['attach', image, `--digest=${img.digest}`, '--mode=annotations'])
  expect(again.errLines).toEqual([])
  expect(again.code).toBe(0)
  const next = await tagOf(image, 'v1')
  expect(again.out).toContain(`note: tag v1 moved from ${now} to ${next}`)
  const m = parseManifest((await remote(image).fetchManifest('v1')).bytes)
  const dec = decodeDocument(m.annotations ?? {})
  expect(dec?.inline && dec.document.image.digest).toBe(img.digest)
})

test('the tag move is in the job summary and the log, without debug logging', async () => {
  const img = await pushTestImage(dist.host, 'summary/app', 'v3')
  const r = await runAction({ image: `${dist.host}/summary/app:v3`, mode: 'annotations' })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  const now = r.outputs['image-digest'] as string
  const line = `tag v3 moved from ${img.digest} to ${now}`
  expect(r.summary).toContain(line)
  expect(r.stdout).toContain(line)
})

test('a tag that does not exist yet is created when the subject is named by digest', async () => {
  const img = await pushTestImage(dist.host, 'created/app', 'v1')
  const r = await cli(['attach', `${dist.host}/created/app:candidate`, `--digest=${img.digest}`, '--mode=annotations'])
  expect(r.code).toBe(0)
  expect(r.out).toContain(`note: tag candidate created at ${await tagOf(`${dist.host}/created/app:candidate`, 'candidate')}`)
  expect(await tagOf(`${dist.host}/created/app:v1`, 'v1')).toBe(img.digest)
})

describe('someone moves the tag after our push', () => {
  let reg: TestRegistry
  afterAll(async () => {
    await reg?.close()
  })

  test('the read-back says so at once and does not move it back', async () => {
    reg = await startTestRegistry()
    const repo = 'race/app'
    const img = await pushTestImage(reg.host, repo, 'v1', 'ours')
    const theirs = await pushTestImage(reg.host, repo, 'other', 'theirs')
    const theirBytes = reg.getManifest(repo, theirs.digest)!.bytes
    // the guard's read of v1 is served as usual; the read-back waits, and meanwhile another
    // pipeline pushes its build under v1
    reg.addFault({ match: { method: 'GET', path: /\/manifests\/v1$/ }, times: 1 })
    reg.addFault({ match: { method: 'GET', path: /\/manifests\/v1$/ }, delayMs: 400 })
    const readBacks = () => reg.requests.filter(q => q.method === 'GET' && q.path.endsWith('/manifests/v1')).length
    const mover = (async () => {
      while (readBacks() < 2) await new Promise(r => setTimeout(r, 5))
      reg.putManifest(repo, theirBytes, MediaType.ImageManifest, 'v1')
    })()
    const started = Date.now()
    const r = await cli(['attach', `${reg.host}/${repo}:v1`, `--digest=${img.digest}`, '--mode=annotations', '--verify-timeout=20'])
    await mover
    expect(r.code).toBe(1)
    expect(r.errLines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error: tag v1 now points at ${theirs.digest}: someone else moved it after this push of sha256:[a-f0-9]{64} \\(which stays pushed by digest\\)`
        )
      )
    ])
    // said at once, not after the whole verify-timeout
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await tagOf(`${reg.host}/${repo}:v1`, 'v1')).toBe(theirs.digest)
  })
})
