// Small in-memory blobs go up in the spec's single-request upload where the registry supports it.
import { startTestRegistry, type TestRegistry } from '../../../__fixtures__/registry/index.js'
import { digestOf } from '../../../src/oci/digest.js'
import { parseReference } from '../../../src/oci/reference.js'
import { RemoteTarget } from '../../../src/oci/remote/remote-target.js'

let reg: TestRegistry
beforeAll(async () => {
  reg = await startTestRegistry()
})
afterAll(async () => {
  await reg.close()
})

test('one POST ?digest= with the body, no HEAD, no PUT; the registry holds the exact bytes', async () => {
  const t = new RemoteTarget(parseReference(`${reg.host}/one/shot:x`), { env: {} })
  const bytes = new TextEncoder().encode('{"small":"blob"}')
  reg.resetRequests()
  const d = await t.pushBlob({ bytes })
  expect(d.digest).toBe(digestOf(bytes))
  expect(reg.requests.map(r => `${r.method} ${r.status}`)).toEqual(['POST 201'])
  expect(reg.requests[0]!.query.digest).toBe(d.digest)
  const back = new Uint8Array(await (await fetch(`${reg.url}/v2/one/shot/blobs/${d.digest}`)).arrayBuffer())
  expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true)
})

test('a file is hashed once and checked with HEAD before any upload', async () => {
  const { writeFile, mkdtemp } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'obm-small-'))
  const file = join(dir, 'f.json')
  await writeFile(file, '{"from":"file"}')
  const t = new RemoteTarget(parseReference(`${reg.host}/one/shot:x`), { env: {} })
  await t.pushBlob({ path: file })
  reg.resetRequests()
  await t.pushBlob({ path: file })
  expect(reg.requests.map(r => `${r.method} ${r.status}`)).toEqual(['HEAD 200'])
})
