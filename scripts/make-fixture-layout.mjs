#!/usr/bin/env node
/**
 * Regenerates the committed test fixture __fixtures__/layout/: a tiny, real OCI image layout.
 * Deterministic (fixed timestamps, no randomness): running it again gives the same digests.
 *   - tag `v1`:    one image manifest (linux/amd64): one config blob, one tiny uncompressed tar layer
 *   - tag `multi`: an image index with two platform manifests (linux/amd64, linux/arm64)
 * Usage: node scripts/make-fixture-layout.mjs [outDir]
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const out = resolve(process.argv[2] ?? join(root, '__fixtures__', 'layout'))
const MTIME = 1700000000 // 2023-11-14T22:13:20Z, fixed so the tar is reproducible
const CREATED = new Date(MTIME * 1000).toISOString()

/** One ustar header block (POSIX.1-1988) for a regular file. */
function tarHeader(name, size) {
  const h = Buffer.alloc(512, 0)
  const field = (off, len, value) => h.write(value, off, len, 'ascii')
  const octal = (off, len, n) => field(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`)
  field(0, 100, name)
  octal(100, 8, 0o644) // mode
  octal(108, 8, 0) // uid
  octal(116, 8, 0) // gid
  octal(124, 12, size)
  octal(136, 12, MTIME)
  field(148, 8, '        ') // checksum counts as spaces while summing
  field(156, 1, '0') // regular file
  field(257, 6, 'ustar\0')
  field(263, 2, '00')
  field(265, 32, 'root')
  field(297, 32, 'root')
  let sum = 0
  for (const b of h) sum += b
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return h
}

export function makeTar(files) {
  const parts = []
  for (const [name, content] of files) {
    const data = Buffer.from(content)
    parts.push(tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024)) // two zero blocks end the archive
  return Buffer.concat(parts)
}

const sha256 = b => `sha256:${createHash('sha256').update(b).digest('hex')}`

rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'blobs', 'sha256'), { recursive: true })

function blob(bytes, mediaType, extra = {}) {
  const buf = Buffer.from(bytes)
  const digest = sha256(buf)
  writeFileSync(join(out, 'blobs', 'sha256', digest.slice('sha256:'.length)), buf)
  return { mediaType, digest, size: buf.length, ...extra }
}
const json = v => Buffer.from(JSON.stringify(v))

const tar = makeTar([['hello.txt', 'hello from the oci-build-metadata fixture\n']])
const layer = blob(tar, 'application/vnd.oci.image.layer.v1.tar')
const diffId = sha256(tar) // uncompressed: the diff ID equals the layer digest

function image(architecture, annotations = {}) {
  const config = blob(
    json({
      created: CREATED,
      architecture,
      os: 'linux',
      config: { Cmd: ['/bin/cat', '/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: CREATED, created_by: 'scripts/make-fixture-layout.mjs' }]
    }),
    'application/vnd.oci.image.config.v1+json'
  )
  return blob(
    json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [layer],
      annotations: { 'org.opencontainers.image.created': CREATED, ...annotations }
    }),
    'application/vnd.oci.image.manifest.v1+json',
    { platform: { architecture, os: 'linux' } }
  )
}

const amd64 = image('amd64')
const arm64 = image('arm64')
const multi = blob(
  json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [amd64, arm64] }),
  'application/vnd.oci.image.index.v1+json'
)
// the single-platform image of tag v1: its own manifest (a version annotation), same config and layer
const { platform: _p, ...v1 } = image('amd64', { 'org.opencontainers.image.version': '1' })

writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
writeFileSync(
  join(out, 'index.json'),
  `${JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...v1, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
        { ...multi, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }
      ]
    },
    null,
    2
  )}\n`
)
console.log(
  JSON.stringify(
    {
      out,
      config: JSON.parse(readFileSync(join(out, 'blobs', 'sha256', v1.digest.slice(7)))).config.digest,
      v1: v1.digest,
      multi: multi.digest,
      amd64: amd64.digest,
      arm64: arm64.digest,
      layer: layer.digest
    },
    null,
    2
  )
)
