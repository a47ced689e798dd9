// The peer client in its own process: @sigstore/oci (what actions/attest uses) attaching one file.
// Usage: node peer.mjs <imageName> <imageDigest> <file> <mediaType>
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { attachArtifactToImage } = require('@sigstore/oci')
const [imageName, imageDigest, file, mediaType] = process.argv.slice(2)
// the peer takes the artifact as a Buffer: it reads the whole file, as actions/attest does
const artifact = await readFile(file)
const d = await attachArtifactToImage({ imageName, imageDigest, artifact, mediaType, annotations: { 'dev.bench.case': 'peer' } })
process.stdout.write(`${JSON.stringify({ digest: d.digest, size: d.size })}\n`)
