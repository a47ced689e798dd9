/**
 * A 200 MiB SPDX document with its keys sorted (as Go's encoding/json writes maps), so `spdxVersion`
 * comes after all the packages: detection must stream it, in bounded memory, with one hash pass.
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { digestFile } from '../../src/oci/digest.js'
import { detectSbom, FULL_PARSE_MAX_BYTES } from '../../src/sbom-provenance/sbom.js'

const TARGET_BYTES = 200 * 1024 * 1024

let dir: string
let file: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obm-big-'))
  file = join(dir, 'huge.spdx.json')
  const out = createWriteStream(file)
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain')
  }
  await write(
    '{"SPDXID":"SPDXRef-DOCUMENT","creationInfo":{"created":"2024-05-14T09:12:44Z","creators":["Tool: gen"]},"dataLicense":"CC0-1.0","name":"huge ' +
      '\\"image\\"","packages":['
  )
  let written = 0
  let i = 0
  while (written < TARGET_BYTES) {
    const parts: string[] = []
    for (let k = 0; k < 2000; k++, i++) {
      parts.push(
        `{"SPDXID":"SPDXRef-Package-${i}","copyrightText":"NOASSERTION","description":"pkg ${i} with \\"quotes\\", \\\\ and {braces} ` +
          `[brackets]","downloadLocation":"NOASSERTION","name":"spdxVersion","versionInfo":"1.0.${i}"}`
      )
    }
    const chunk = (i > 2000 ? ',' : '') + parts.join(',')
    written += chunk.length
    await write(chunk)
  }
  await write('],"relationships":[],"spdxVersion":"SPDX-2.3"}')
  out.end()
  await once(out, 'finish')
}, 120_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('detects a 200 MiB SPDX file with bounded memory; its digest is the streaming hash', async () => {
  global.gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  let s: Awaited<ReturnType<typeof detectSbom>> | undefined
  try {
    s = await detectSbom(file)
  } finally {
    clearInterval(timer)
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  expect(s.size).toBeGreaterThan(FULL_PARSE_MAX_BYTES)
  expect(s.size).toBeGreaterThanOrEqual(TARGET_BYTES)
  expect(s).toMatchObject({ format: 'spdx-json', specVersion: '2.3', name: 'huge "image"', artifactType: 'application/spdx+json' })
  // a whole-file read would add ≥ 200 MiB, JSON.parse several times that
  expect(peak - before).toBeLessThan(96 * 1024 * 1024)
  expect({ digest: s.digest, size: s.size }).toEqual(await digestFile(file))
}, 120_000)
