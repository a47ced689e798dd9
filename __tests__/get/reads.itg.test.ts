/**
 * What `get` costs in requests on a registry with the referrers API: a metadata document too large
 * for annotations lives in a blob layer, which the gate's evidence already read (and digest-checked);
 * get writes those same bytes without downloading the layer a second time.
 */
import { randomInt } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestRegistry, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { pushImage } from '../../__fixtures__/registry/http-helpers.js'
import { GH_ENV, runWith } from '../run/helpers.js'

let reg: TestRegistry
afterEach(async () => {
  await reg?.close()
})

test('get reads a metadata document stored in a blob layer with one GET of that layer', async () => {
  reg = await startTestRegistry()
  const img = await pushImage(reg.url, 'team/app', 'v1')
  const image = `${reg.host}/team/app@${img.digest}`
  // test timings past the inline limit (64 KiB, even gzipped): attach writes the document as a layer
  const cwd = await mkdtemp(join(tmpdir(), 'get-reads-'))
  const timings = Array.from({ length: 20_000 }, () => randomInt(1_000_000_000))
  await writeFile(join(cwd, 'results.json'), JSON.stringify({ timings }))
  const attached = await runWith({ image, 'metadata-file': 'results.json' }, GH_ENV, cwd)
  expect(attached.problems).toEqual([])
  const layer = attached.annotations?.['dev.oci-build-metadata.digest']
  expect(attached.annotations?.['dev.oci-build-metadata.layer']).toBe('true')

  reg.resetRequests()
  const got = await runWith({ image, command: 'get' })
  expect(got.content.digest).toBe(layer)
  expect(got.metadata?.user).toEqual(attached.metadata?.user)
  const layerGets = reg.requests.filter(q => q.method === 'GET' && q.path === `/v2/team/app/blobs/${layer}`)
  expect(layerGets).toHaveLength(1)
})
