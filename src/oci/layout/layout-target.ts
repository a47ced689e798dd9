/**
 * `Target` over an OCI image layout directory (regclient's `ocidir`, oras-go's `oci.Store`).
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
 *
 * Decisions, so that other tools read what this writes:
 * - Manifests are blobs stored byte for byte; tags are `org.opencontainers.image.ref.name`
 *   annotations on index.json entries, and a tag names at most one entry (tagging moves it).
 * - `pushManifest` without a tag adds no index.json entry for an ordinary manifest: it is reachable
 *   through its parent (a platform manifest pushed before its index). A manifest with a `subject`
 *   is a referrer, and referrers must stay findable when tags move, so it gets an untagged entry.
 * - A referrer is also added to the subject's tag-schema index (tag `sha256-<hex>`, the referrers
 *   tag schema) inside `pushManifest`, so regctl (which reads that tag in layouts) and ORAS (which
 *   scans) both find it, and callers need no layout-specific step: the layout indexes referrers
 *   itself (`pushReferrers` answers `indexedBy: 'layout'`).
 * - index.json edits are serialized per directory, within this process and across processes (the
 *   lock file of `withLayoutLock` in store.ts), and index.json is re-read inside the lock.
 */
import { allOrFirstError } from '../../backoff.js'
import { silentLogger, type Logger } from '../../log.js'
import { OciError } from '../../errors.js'
import { parseDigest } from '../digest.js'
import { MANIFEST_MEDIA_TYPES } from '../media-types.js'
import { formatReference, type ImageRef } from '../reference.js'
import { manifestMediaType, parseManifest, type Descriptor, type ManifestBlob } from '../types.js'
import type {
  BlobSource,
  IndexedBy,
  ListReferrersOptions,
  PushBlobOptions,
  PushedReferrers,
  PushManifestResult,
  ReferrerManifest,
  ReferrersListing,
  Target
} from '../target.js'
import { blobExists, readBlob, writeBlobBytes, writeBlobFile } from './blobs.js'
import { addUntagged, findTag, readIndex, refNameOf, setTag, writeIndex } from './index-file.js'
import { MAX_MANIFEST_BYTES } from '../limits.js'
import { referrerDescriptor } from '../referrer-descriptors.js'
import { addToTagSchemaIndex, removeFromTagSchemaIndex, scanReferrers } from './referrers-scan.js'
import { assertLayout, withLayoutLock } from './store.js'

export interface LayoutTargetOptions {
  logger?: Logger
}

export class LayoutTarget implements Target {
  readonly ref: ImageRef
  private readonly dir: string
  private readonly logger: Logger

  constructor(ref: ImageRef, opts: LayoutTargetOptions = {}) {
    if (ref.kind !== 'layout') throw new OciError('INVALID_INPUT', `${ref.original} is not an OCI layout reference (oci:<dir>[:tag|@digest])`)
    this.ref = ref
    this.dir = ref.repository
    this.logger = opts.logger ?? silentLogger
  }

  describe(): string {
    return `oci:${this.dir}`
  }

  /** Reads and writes need an existing layout: attaching needs the image in it. */
  private async open(): Promise<void> {
    await assertLayout(this.dir)
  }

  async fetchManifest(reference: string | Descriptor): Promise<ManifestBlob> {
    await this.open()
    let desc: Descriptor | undefined = typeof reference === 'string' ? undefined : reference
    if (typeof reference === 'string') {
      if (reference.includes(':')) {
        parseDigest(reference) // a malformed digest is a usage error, not "not found"
        desc = (await readIndex(this.dir)).manifests.find(d => d.digest === reference)
        desc ??= { mediaType: '', digest: reference, size: -1 }
      } else {
        desc = findTag(await readIndex(this.dir), reference)
        if (!desc) {
          throw new OciError('NOT_FOUND', `${this.describe()}: tag "${reference}" not found in ${this.dir}/index.json`, {
            hint: `list the tags with \`oras repo tags --oci-layout ${this.dir}\`, or push the image with that tag first`,
            op: 'resolve',
            where: `${this.describe()}:${reference}`
          })
        }
      }
    }
    const bytes = await readBlob(this.dir, desc!.digest, 'manifest', MAX_MANIFEST_BYTES)
    if (desc!.size >= 0 && desc!.size !== bytes.length) {
      throw new OciError('DIGEST_MISMATCH', `${this.describe()}: manifest ${desc!.digest} is ${bytes.length} bytes, its descriptor says ${desc!.size}`, {
        op: 'fetch manifest'
      })
    }
    const m = parseManifest(bytes, `${this.describe()}: manifest ${desc!.digest}`)
    const mediaType = desc!.mediaType && MANIFEST_MEDIA_TYPES.includes(desc!.mediaType) ? desc!.mediaType : manifestMediaType(m)
    const out: Descriptor = { mediaType, digest: desc!.digest, size: bytes.length }
    if (m.artifactType) out.artifactType = m.artifactType
    return { descriptor: out, bytes }
  }

  async manifestExists(digest: string): Promise<boolean> {
    await this.open()
    return blobExists(this.dir, digest)
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult> {
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw new OciError('SIZE_EXCEEDED', `${this.describe()}: manifest is ${bytes.length} bytes, more than the limit of ${MAX_MANIFEST_BYTES} (4 MiB)`, {
        hint: 'move large data into a blob',
        op: 'push manifest',
        where: this.describe()
      })
    }
    const manifest = parseManifest(bytes, 'manifest to push')
    await this.open()
    const digest = await writeBlobBytes(this.dir, bytes)
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length }
    if (manifest.artifactType) descriptor.artifactType = manifest.artifactType
    const subject = manifest.subject?.digest
    if (tag === undefined && !subject) return { descriptor, subjectAccepted: false }

    await withLayoutLock(this.dir, async () => {
      const index = await readIndex(this.dir)
      let changed = false
      if (tag !== undefined) changed = setTag(index, tag, descriptor) || changed
      if (subject) {
        changed = addUntagged(index, descriptor) || changed
        changed = (await addToTagSchemaIndex(this.dir, index, subject, referrerDescriptor(manifest, digest, bytes.length))) || changed
      }
      if (changed) await writeIndex(this.dir, index)
    })
    this.logger.debug(`${this.describe()}: pushed manifest ${digest}${tag ? ` as ${tag}` : ''}`)
    return { descriptor, subjectAccepted: false }
  }

  /**
   * Push referrers: each push indexes itself (index.json and the subject's tag-schema index, under
   * the layout lock), so they go at once; the scan that follows is the listing that shows them.
   */
  async pushReferrers(subject: Descriptor, manifests: ReferrerManifest[]): Promise<PushedReferrers> {
    await allOrFirstError(manifests.map(m => this.pushManifest(m.bytes, m.descriptor.mediaType)))
    return { indexedBy: 'layout', listing: await this.listReferrers(subject) }
  }

  /** A layout finds every stored manifest with a `subject` by scanning: they are findable as they are, and nothing is asked. */
  async indexReferrers(_subject: Descriptor, _referrers: () => Promise<Descriptor[]>): Promise<IndexedBy> {
    return 'layout'
  }

  /**
   * Unlist a manifest: drop its untagged index.json entries and its entry in its subject's tag-schema
   * index. The blob stays (other manifests may share it); tagged entries are left alone, since a tag
   * is the user's. Used to replace a re-run's superseded referrer.
   */
  async deleteManifest(digest: string): Promise<void> {
    await this.open()
    const bytes = await readBlob(this.dir, digest, 'manifest', MAX_MANIFEST_BYTES)
    const subject = parseManifest(bytes, `${this.describe()}: manifest ${digest}`).subject?.digest
    await withLayoutLock(this.dir, async () => {
      const index = await readIndex(this.dir)
      const before = index.manifests.length
      index.manifests = index.manifests.filter(d => d.digest !== digest || refNameOf(d) !== undefined)
      let changed = index.manifests.length !== before
      if (subject) changed = (await removeFromTagSchemaIndex(this.dir, index, subject, digest)) || changed
      if (changed) await writeIndex(this.dir, index)
    })
  }

  async fetchBlob(descriptor: Descriptor, maxBytes?: number): Promise<Uint8Array> {
    await this.open()
    const bytes = await readBlob(this.dir, descriptor.digest, 'blob', maxBytes)
    if (bytes.length !== descriptor.size) {
      throw new OciError('DIGEST_MISMATCH', `${this.describe()}: blob ${descriptor.digest} is ${bytes.length} bytes, its descriptor says ${descriptor.size}`, {
        op: 'fetch blob'
      })
    }
    return bytes
  }

  async pushBlob(source: BlobSource, opts: PushBlobOptions = {}): Promise<Descriptor> {
    await this.open()
    const mediaType = opts.mediaType ?? 'application/octet-stream'
    if ('bytes' in source) {
      const digest = await writeBlobBytes(this.dir, source.bytes)
      return { mediaType, digest, size: source.bytes.length }
    }
    const { digest, size } = await writeBlobFile(this.dir, source.path, source.digest)
    return { mediaType, digest, size }
  }

  async listReferrers(subject: Descriptor, opts: ListReferrersOptions = {}): Promise<ReferrersListing> {
    await this.open()
    const index = await readIndex(this.dir)
    const descriptors = await scanReferrers(this.dir, index, subject.digest, opts.artifactType, this.logger)
    return { descriptors, via: 'scan', filtersApplied: false }
  }

  toString(): string {
    return formatReference(this.ref)
  }
}
