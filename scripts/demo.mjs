// npm run demo: the main job end to end on a local OCI image layout — no registry, no account.
// 1. builds a small OCI image (a layer holding this project's bundle) into a temp layout,
// 2. attaches build metadata, an SPDX SBOM and SLSA provenance with the bundled CLI,
// 3. verifies it, runs the release gate, and prints the referrers tree.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'dist', 'cli.js')
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run bundle` first')
  process.exit(2)
}
const work = mkdtempSync(join(tmpdir(), 'obm-demo-'))
const layout = join(work, 'layout')
const sha = b => createHash('sha256').update(b).digest('hex')
const blob = bytes => {
  const hex = sha(bytes)
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true })
  writeFileSync(join(layout, 'blobs', 'sha256', hex), bytes)
  return { digest: `sha256:${hex}`, size: bytes.length }
}

// a one-file ustar archive: app/oci-build-metadata.js = the bundle
function tar(name, content) {
  const h = Buffer.alloc(512)
  const put = (s, off, len) => h.write(s, off, len, 'ascii')
  put(name, 0, 100)
  put('0000755\0', 100, 8)
  put('0000000\0', 108, 8)
  put('0000000\0', 116, 8)
  put(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 12)
  put('00000000000\0', 136, 12)
  put('        ', 148, 8)
  put('0', 156, 1)
  put('ustar\0', 257, 6)
  put('00', 263, 2)
  let sum = 0
  for (const b of h) sum += b
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512)
  return Buffer.concat([h, content, pad, Buffer.alloc(1024)])
}

const step = s => console.log(`\n\x1b[1m== ${s}\x1b[0m`)
step('1. build a small OCI image into a temporary OCI layout')
const layerBytes = tar('app/oci-build-metadata.js', readFileSync(join(root, 'dist', 'bundle.js')))
const layer = blob(layerBytes)
const config = blob(
  Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['node', '/app/oci-build-metadata.js'] },
      rootfs: { type: 'layers', diff_ids: [layer.digest] }
    })
  )
)
const manifestBytes = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }]
  })
)
const manifest = blob(manifestBytes)
writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
writeFileSync(
  join(layout, 'index.json'),
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'demo' } }]
  })
)
console.log(`layout ${layout}\nimage  oci:${layout}:demo  ${manifest.digest}`)

const sbom = join(work, 'sbom.spdx.json')
writeFileSync(
  sbom,
  JSON.stringify(
    {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'oci-build-metadata-demo',
      documentNamespace: `https://example.invalid/spdx/demo-${manifest.digest.slice(7, 19)}`,
      creationInfo: { created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), creators: ['Tool: oci-build-metadata-demo'] },
      packages: [
        {
          name: 'oci-build-metadata',
          SPDXID: 'SPDXRef-Package',
          versionInfo: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
          downloadLocation: 'NOASSERTION'
        }
      ]
    },
    null,
    2
  )
)

const image = `oci:${layout}:demo`
const runCli = (args, { expectFail = false } = {}) => {
  console.log(`$ oci-build-metadata ${args.join(' ').replaceAll(layout, '<layout>').replaceAll(work, '<tmp>')}`)
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root })
  process.stdout.write(r.stdout.replaceAll(layout, '<layout>'))
  if (r.stderr) process.stdout.write(r.stderr.replaceAll(layout, '<layout>'))
  console.log(`(exit ${r.status})`)
  if ((r.status !== 0) !== expectFail) {
    console.error(`demo: unexpected exit ${r.status}`)
    process.exit(1)
  }
  return r
}

step('2. attach metadata, an SPDX SBOM and SLSA provenance (then verify what was written)')
runCli(['attach', image, '--digest', manifest.digest, '--sbom', sbom, '--provenance', '--metadata', '{"team":"platform","ticket":"DEMO-1"}'])

step('3. the release gate: require metadata, sbom and provenance')
runCli(['verify', image, '--require', 'metadata,sbom,provenance'])

step('4. the gate refuses what is not there (exit 1)')
runCli(['verify', image, '--require', 'metadata,application/vnd.dev.cosign.simplesigning.v1+json'], { expectFail: true })

step('5. the referrers tree')
runCli(['discover', image])

step('6. read back the metadata document (get)')
const doc = JSON.parse(runCliQuiet(['get', image]))
console.log(JSON.stringify(doc, null, 2))

step('7. read back the SBOM, byte for byte (get --artifact-type sbom --output)')
const back = join(work, 'sbom-read-back.json')
runCli(['get', image, '--artifact-type', 'sbom', '--output', back])
console.log(readFileSync(back).equals(readFileSync(sbom)) ? 'the SBOM read back is the file attached, byte for byte' : 'the SBOM read back differs!')
console.log(`\ndemo finished: the layout is left at ${layout} for you to inspect`)

function runCliQuiet(args) {
  return execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root })
}
