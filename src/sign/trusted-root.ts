/**
 * Trusted roots, and what each Sigstore instance's bundles must carry, derived from the root itself —
 * never from what a bundle claims. As GitHub's verifiers (`gh attestation verify`, the
 * artifact-attestations OPA provider) apply it:
 * - a root with certificate-transparency logs (public-good): the certificate's SCT, and a
 *   transparency-log entry;
 * - a root without CT logs and without a transparency log, with a timestamp authority (GitHub's
 *   instance, for private and internal repositories): an RFC 3161 signed timestamp, no SCT, no log;
 * - otherwise: an SCT where the root has CT logs, and one verified timestamp of any kind.
 * `gh attestation trusted-root` prints JSON Lines: one root a line (public-good, then GitHub's), each
 * used for the certificates it issued.
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
 */
import { readFile } from 'node:fs/promises'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { getTrustedRoot } from '@sigstore/tuf'
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify'
import { OciError, UsageError } from '../errors.js'

/** What a bundle certified by an instance must carry besides a valid signature and chain. */
export interface InstanceEvidence {
  /** the certificate's signed certificate timestamp (the root has CT logs) */
  sct: boolean
  /** a transparency-log entry */
  log: boolean
  /** an RFC 3161 signed timestamp (the root has a timestamp authority and no log) */
  signedTimestamp: boolean
}

export interface TrustedInstance {
  /** for messages: the root's Fulcio (`https://fulcio.sigstore.dev`, `fulcio.githubapp.com`) */
  label: string
  material: TrustMaterial
  evidence: InstanceEvidence
}

export type Trust = TrustedInstance[]

/** Pure: what the bundles of an instance need, from the logs and authorities its root lists. */
export function evidenceFor(root: { ctlogs: unknown[]; tlogs: unknown[]; timestampAuthorities: unknown[] }): InstanceEvidence | undefined {
  const ct = root.ctlogs.length > 0
  const tlog = root.tlogs.length > 0
  const tsa = root.timestampAuthorities.length > 0
  if (!tlog && !tsa) return undefined
  return { sct: ct, log: tlog && (ct || !tsa), signedTimestamp: tsa && !tlog }
}

/** A describable name for a root: its first certificate authority's URI, else its subject. */
function labelOf(root: TrustedRoot, n: number): string {
  const ca = root.certificateAuthorities[0]
  return ca?.uri || ca?.subject?.organization || `trusted root ${n}`
}

export function instanceOf(json: unknown, where: string, n = 1): TrustedInstance {
  let root: TrustedRoot
  try {
    root = TrustedRoot.fromJSON(json)
  } catch (e) {
    throw new UsageError(`trusted-root ${where} is not a Sigstore trusted root: ${(e as Error).message}`, {
      hint: 'give a trusted_root.json, or the JSON Lines `gh attestation trusted-root` prints'
    })
  }
  return instanceOfRoot(root, where, n)
}

function instanceOfRoot(root: TrustedRoot, where: string, n: number): TrustedInstance {
  let material: TrustMaterial
  try {
    material = toTrustMaterial(root)
  } catch (e) {
    throw new UsageError(`trusted-root ${where} is not a Sigstore trusted root: ${(e as Error).message}`, {
      hint: 'give a trusted_root.json, or the JSON Lines `gh attestation trusted-root` prints'
    })
  }
  if (root.certificateAuthorities.length === 0)
    throw new UsageError(`trusted-root ${where} lists no certificate authority, so no keyless signature can verify against it`, {
      hint: 'give a trusted root with its Fulcio CA, e.g. from `gh attestation trusted-root`'
    })
  const evidence = evidenceFor(root)
  if (!evidence)
    throw new UsageError(`trusted-root ${where} lists neither a transparency log nor a timestamp authority, so nothing can date a signature`, {
      hint: 'give the complete trusted root, e.g. from `gh attestation trusted-root`'
    })
  return { label: labelOf(root, n), material, evidence }
}

/**
 * The roots a `trusted-root` file holds: one JSON document, or JSON Lines (one root a line, as
 * `gh attestation trusted-root` prints them).
 */
export function parseTrustedRoots(text: string, path: string): unknown[] {
  try {
    return [JSON.parse(text)]
  } catch {
    // not one document: JSON Lines
  }
  const roots: unknown[] = []
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue
    try {
      roots.push(JSON.parse(line))
    } catch (e) {
      throw new UsageError(`trusted-root ${path}: line ${i + 1} is not JSON (${(e as Error).message})`, {
        hint: 'give a trusted_root.json, or the JSON Lines `gh attestation trusted-root` prints, one root a line'
      })
    }
  }
  if (roots.length === 0) throw new UsageError(`trusted-root ${path} is empty`, { hint: 'give a trusted_root.json, e.g. from `gh attestation trusted-root`' })
  return roots
}

export async function loadTrust(trustedRootPath: string | undefined): Promise<Trust> {
  if (trustedRootPath) {
    let text: string
    try {
      text = await readFile(trustedRootPath, 'utf8')
    } catch (e) {
      throw new UsageError(`trusted-root ${trustedRootPath} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        hint: 'give the path of a Sigstore trusted_root.json, e.g. from `gh attestation trusted-root > trusted_root.jsonl`'
      })
    }
    const roots = parseTrustedRoots(text, trustedRootPath)
    return roots.map((json, i) => instanceOf(json, roots.length > 1 ? `${trustedRootPath} (line ${i + 1})` : trustedRootPath, i + 1))
  }
  let root: TrustedRoot
  try {
    root = await getTrustedRoot({ cachePath: mkdtempSync(join(tmpdir(), 'obm-tuf-')) })
  } catch (e) {
    throw new OciError('NETWORK', `get Sigstore's trusted root through TUF: ${(e as Error).message}`, {
      op: 'get trusted root',
      hint: 'check that the runner reaches tuf-repo-cdn.sigstore.dev, or give trusted-root (e.g. from `gh attestation trusted-root`)',
      cause: e
    })
  }
  return [instanceOfRoot(root, "Sigstore's public-good root (TUF)", 1)]
}
