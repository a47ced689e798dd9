// Input files of the bench: a 1 KiB user-metadata document and SPDX 2.3 JSON SBOMs of an exact size
// (a large `packages` array, top-level fields first as SPDX generators write them).
import { once } from 'node:events'
import { createWriteStream, statSync, writeFileSync } from 'node:fs'

/** A JSON object of exactly `size` bytes (user fields for --metadata-file, and the peer's artifact). */
export function writeDocument(path, size = 1024) {
  const base = { bench: 'oci-build-metadata', purpose: 'a metadata document of a fixed size', components: ['api', 'worker', 'web'], pad: '' }
  const empty = Buffer.byteLength(JSON.stringify(base))
  base.pad = 'x'.repeat(Math.max(0, size - empty))
  const text = JSON.stringify(base)
  if (Buffer.byteLength(text) !== size) throw new Error(`internal: document is ${Buffer.byteLength(text)} bytes, not ${size}`)
  writeFileSync(path, text)
}

function pkg(i) {
  const name = `bench-package-${i}`
  const version = `${1 + (i % 7)}.${i % 13}.${i % 101}`
  return (
    `{"name":"${name}","SPDXID":"SPDXRef-Package-${i}","versionInfo":"${version}","downloadLocation":"NOASSERTION",` +
    `"filesAnalyzed":false,"licenseConcluded":"NOASSERTION","licenseDeclared":"MIT","copyrightText":"NOASSERTION",` +
    `"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/${name}@${version}"}]}`
  )
}

/** An SPDX 2.3 JSON document of exactly `size` bytes; reused when `path` already has that size. */
export async function writeSpdx(path, size) {
  try {
    if (statSync(path).size === size) return false
  } catch {
    // not there yet
  }
  const head =
    `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"bench-sbom-${size}",` +
    `"documentNamespace":"https://example.invalid/spdx/bench-${size}","creationInfo":{"created":"2026-01-01T00:00:00Z",` +
    `"creators":["Tool: oci-build-metadata-bench"]},"packages":[`
  const tail = '],"relationships":[]}'
  const out = createWriteStream(path)
  let written = 0
  const write = async s => {
    written += Buffer.byteLength(s)
    if (!out.write(s)) await once(out, 'drain')
  }
  await write(head)
  const room = () => size - written - Buffer.byteLength(tail)
  let i = 0
  let batch = []
  let batchBytes = 0
  // leave room for a last package padded to the exact size
  const lastMin = Buffer.byteLength(`,${pkg(999999999).slice(0, -1)},"comment":""}`)
  for (;;) {
    const p = (i === 0 ? '' : ',') + pkg(i)
    if (room() - batchBytes - p.length < lastMin + 1024) break
    batch.push(p)
    batchBytes += p.length
    i++
    if (batchBytes > 1 << 20) {
      await write(batch.join(''))
      batch = []
      batchBytes = 0
    }
  }
  if (batch.length) await write(batch.join(''))
  const lastHead = `${i === 0 ? '' : ','}${pkg(i).slice(0, -1)},"comment":"`
  const padding = room() - Buffer.byteLength(lastHead) - 2
  if (padding < 0) throw new Error(`internal: SPDX size ${size} too small`)
  await write(`${lastHead + 'p'.repeat(padding)}"}`)
  await write(tail)
  out.end()
  await once(out, 'finish')
  const got = statSync(path).size
  if (got !== size) throw new Error(`internal: wrote ${got} bytes of SPDX, not ${size}`)
  return true
}
