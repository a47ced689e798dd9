/**
 * SBOM files to attach: found from paths and globs, recognised from their content (never their
 * name), hashed in one streaming pass. Nothing here holds a whole large file in memory.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, isAbsolute, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { Annotation, ArtifactType } from '../oci/media-types.js'
import { JsonPathScanner } from './json-scan.js'

export type SbomFormat = 'spdx-json' | 'spdx3-json' | 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx-tag-value'

export const SBOM_ARTIFACT_TYPES: Record<SbomFormat, string> = {
  'spdx-json': ArtifactType.Spdx,
  'spdx3-json': ArtifactType.Spdx3,
  'cyclonedx-json': ArtifactType.CycloneDx,
  'cyclonedx-xml': ArtifactType.CycloneDxXml,
  'spdx-tag-value': ArtifactType.SpdxTagValue
}

export interface DetectedSbom {
  /** absolute path */
  path: string
  format: SbomFormat
  artifactType: string
  /** the layer's media type: the same as artifactType */
  mediaType: string
  /** `2.3` for SPDX-2.3, `3.0.1` for SPDX 3.0.1, `1.5` for CycloneDX 1.5 */
  specVersion?: string | undefined
  /** SPDX `name` / `DocumentName`, CycloneDX `metadata.component.name` */
  name?: string | undefined
  digest: string
  size: number
}

/**
 * Files up to this size are read whole and JSON.parse'd (exact, validates the JSON); larger ones are
 * scanned as a stream (JsonPathScanner). 8 MiB of JSON parses in well under a second and ~50 MiB of heap.
 */
export const FULL_PARSE_MAX_BYTES = 8 * 1024 * 1024
/** XML and tag-value SBOMs are recognised from their head: root element / document header come first. */
export const DETECT_PREFIX_BYTES = 64 * 1024
/** Read size for hashing. */
const CHUNK_BYTES = 1 << 20

const EXPECTED =
  'expected SPDX JSON (top-level "spdxVersion" and "SPDXID"), SPDX 3 JSON-LD ("@context" https://spdx.org/rdf/3.<x>/… and "@graph"), ' +
  'CycloneDX JSON ("bomFormat": "CycloneDX" and "specVersion"), ' +
  'CycloneDX XML (a root <bom> in a http://cyclonedx.org/schema/bom/<version> namespace) or SPDX tag-value ("SPDXVersion:" and "SPDXID:" lines)'

/** A path with any of these is taken as a glob (tinyglobby then reads it as its syntax says). */
const GLOB_CHARS = /[*?[\]{}()!]/

/**
 * Files matching a glob (tinyglobby: `*`, `?`, `[...]`, `**`, `{a,b}`), as absolute paths. As in most
 * shells, wildcards do not match names starting with `.` unless the pattern says `.`, and `**` does
 * not follow symbolic links to directories (no loops). An absolute pattern is matched from its
 * longest literal directory.
 */
async function globFiles(pattern: string, cwd: string): Promise<string[]> {
  // loaded only when a pattern is given: most runs name their SBOM files, and start-up stays lean
  const { glob, isDynamicPattern } = await import('tinyglobby')
  let base = cwd
  let rest = pattern
  if (isAbsolute(pattern)) {
    const parts = pattern.split('/')
    const firstMagic = parts.findIndex(part => isDynamicPattern(part))
    base = parts.slice(0, firstMagic).join('/') || '/'
    rest = parts.slice(firstMagic).join('/')
  }
  return glob(rest, { cwd: base, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: false, expandDirectories: false })
}

/**
 * Paths and globs → existing files, absolute, deduplicated, sorted. A pattern that matches nothing is
 * an error naming it: a typo must not silently attach no SBOM.
 */
export async function expandSbomInputs(patterns: string[], cwd: string): Promise<string[]> {
  const out = new Set<string>()
  for (const raw of patterns) {
    const p = raw.trim()
    if (!p) continue
    if (!GLOB_CHARS.test(p)) {
      const abs = resolve(cwd, p)
      const st = await stat(abs).catch(() => undefined)
      if (!st) throw new UsageError(`sbom: "${p}" does not exist (looked in ${cwd})`, { hint: 'give the path of an SPDX or CycloneDX file, or a glob' })
      if (!st.isFile()) throw new UsageError(`sbom: "${p}" is not a file`, { hint: `give a file or a glob such as ${p.replace(/\/$/, '')}/*.json` })
      out.add(abs)
      continue
    }
    const files = await globFiles(p, cwd)
    if (files.length === 0)
      throw new UsageError(`sbom: "${p}" matches no file (looked in ${cwd})`, { hint: 'check the pattern, and that the step producing the SBOM ran first' })
    for (const f of files) out.add(f)
  }
  return [...out].sort()
}

const JSON_PATHS = ['spdxVersion', 'SPDXID', 'name', 'bomFormat', 'specVersion', 'metadata.component.name', '@context']

/**
 * SPDX 3's JSON-LD serialization names the SPDX context of its version, and lists its elements under
 * `@graph` (https://spdx.github.io/spdx-spec/v3.0.1/serializations/); its media type is
 * application/spdx3+json, not SPDX 2's (https://www.iana.org/assignments/media-types/application/spdx3+json).
 */
const SPDX3_CONTEXT = /^https?:\/\/spdx\.org\/rdf\/(3(?:\.\d+){0,2})\//

export async function detectSbom(path: string): Promise<DetectedSbom> {
  const abs = resolve(path)
  const st = await stat(abs).catch(() => undefined)
  if (!st?.isFile()) throw new UsageError(`sbom: "${path}" is not a readable file`)
  const whole = st.size <= FULL_PARSE_MAX_BYTES
  const hash = createHash('sha256')
  let size = 0
  const kept: Buffer[] = []
  let keptBytes = 0
  let scanner: JsonPathScanner | undefined
  for await (const chunk of createReadStream(abs, { highWaterMark: CHUNK_BYTES })) {
    const b = chunk as Buffer
    hash.update(b)
    size += b.length
    if (whole || keptBytes < DETECT_PREFIX_BYTES) {
      kept.push(whole ? b : b.subarray(0, DETECT_PREFIX_BYTES - keptBytes))
      keptBytes += kept[kept.length - 1]!.length
    }
    if (!whole) {
      scanner ??= new JsonPathScanner(JSON_PATHS)
      if (!scanner.done && !formatSettled(scanner.found)) scanner.write(b)
    }
  }
  const head = Buffer.concat(kept)
  const facts = { path: abs, digest: `sha256:${hash.digest('hex')}`, size }
  const text = head.toString('utf8').replace(/^\uFEFF/, '')
  const first = text.trimStart()[0]
  let found: Pick<DetectedSbom, 'format' | 'specVersion' | 'name'> | undefined
  if (first === '{') {
    const values = whole ? topValues(head, path) : scanner!.found
    found = fromJson(values, path, whole)
  } else if (first === '<') found = fromXml(text)
  else found = fromTagValue(text)
  if (!found) throw new UsageError(`sbom: "${path}" is not a recognised SBOM`, { hint: EXPECTED })
  const artifactType = SBOM_ARTIFACT_TYPES[found.format]
  return { ...facts, ...found, artifactType, mediaType: artifactType }
}

/** Every value the format needs is found: the rest of the file cannot change the result. */
function formatSettled(found: Map<string, string>): boolean {
  return (
    (found.has('spdxVersion') && found.has('SPDXID') && found.has('name')) ||
    SPDX3_CONTEXT.test(found.get('@context') ?? '') ||
    (found.has('bomFormat') && found.has('specVersion') && found.has('metadata.component.name'))
  )
}

/** The same values the scanner collects, from a fully parsed small file. */
function topValues(bytes: Buffer, path: string): Map<string, string> {
  let v: unknown
  try {
    v = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''))
  } catch {
    throw new UsageError(`sbom: "${path}" looks like JSON but does not parse`, { hint: EXPECTED })
  }
  const out = new Map<string, string>()
  for (const p of JSON_PATHS) {
    let cur: unknown = v
    for (const k of p.split('.')) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined
    if (typeof cur === 'string' || typeof cur === 'number') out.set(p, String(cur))
  }
  // SPDX 3: a context given as a list ([url, {…}]) counts by its URL; the document's name is an element of the graph
  const o = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  const context = Array.isArray(o['@context']) ? o['@context'].find(c => typeof c === 'string') : undefined
  if (typeof context === 'string') out.set('@context', context)
  if (Array.isArray(o['@graph'])) {
    out.set('@graph', 'present')
    const doc = o['@graph'].find(e => e && typeof e === 'object' && (e as { type?: unknown }).type === 'SpdxDocument') as { name?: unknown } | undefined
    if (typeof doc?.name === 'string') out.set('@graph.SpdxDocument.name', doc.name)
  }
  return out
}

/** `whole`: the values come from a whole parse (which can see @graph), not the stream scanner. */
function fromJson(values: Map<string, string>, path: string, whole: boolean): Pick<DetectedSbom, 'format' | 'specVersion' | 'name'> {
  const spdxVersion = values.get('spdxVersion')
  if (spdxVersion !== undefined && values.get('SPDXID') !== undefined) {
    return { format: 'spdx-json', specVersion: spdxVersion.replace(/^SPDX-/, ''), name: values.get('name') }
  }
  const spdx3 = SPDX3_CONTEXT.exec(values.get('@context') ?? '')
  // a whole-file parse also looks for @graph; a streamed one (over FULL_PARSE_MAX_BYTES) goes by the context alone
  if (spdx3 && (values.has('@graph') || !whole)) {
    return { format: 'spdx3-json', specVersion: spdx3[1], name: values.get('@graph.SpdxDocument.name') }
  }
  const bomFormat = values.get('bomFormat')
  if (bomFormat === 'CycloneDX' && values.get('specVersion') !== undefined) {
    return { format: 'cyclonedx-json', specVersion: values.get('specVersion'), name: values.get('metadata.component.name') }
  }
  const why =
    bomFormat !== undefined
      ? `it has "bomFormat": "${bomFormat.slice(0, 40)}"${values.has('specVersion') ? '' : ' and no "specVersion"'}`
      : spdxVersion !== undefined
        ? 'it has "spdxVersion" but no "SPDXID"'
        : spdx3
          ? 'it has an SPDX 3 "@context" but no "@graph"'
          : 'it is JSON with neither "spdxVersion"/"SPDXID" nor "bomFormat"/"specVersion" at the top level'
  throw new UsageError(`sbom: "${path}" is not a recognised SBOM (${why})`, { hint: EXPECTED })
}

const CYCLONEDX_NS = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/

function fromXml(text: string): Pick<DetectedSbom, 'format' | 'specVersion' | 'name'> | undefined {
  // skip the prolog: declaration, comments, processing instructions, doctype
  const body = text.replace(/^\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*/, '')
  const root = /^<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)([^>]*)>/.exec(body)
  if (root?.[2] !== 'bom') return undefined
  const nsAttr = root[1] ? `xmlns:${root[1]}` : 'xmlns'
  const ns = new RegExp(`\\s${nsAttr.replace('.', '\\.')}\\s*=\\s*["']([^"']*)["']`).exec(root[3]!)?.[1]
  const version = ns ? CYCLONEDX_NS.exec(ns)?.[1] : undefined
  if (!version) return undefined
  return { format: 'cyclonedx-xml', specVersion: version, name: xmlComponentName(body) }
}

/** metadata/component/name, best effort from the head; supplier/manufacturer blocks hold names too. */
function xmlComponentName(body: string): string | undefined {
  const meta = /<(?:[\w.-]+:)?metadata\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?metadata>/.exec(body)?.[1]
  if (!meta) return undefined
  const comp = /<(?:[\w.-]+:)?component\b[^>]*>([\s\S]*)/.exec(meta)?.[1]
  if (!comp) return undefined
  const cleaned = comp.replace(/<((?:[\w.-]+:)?(?:supplier|manufacturer|author|authors|publisher))\b[^>]*>[\s\S]*?<\/\1>/g, '')
  const name = /<(?:[\w.-]+:)?name>([^<]*)<\//.exec(cleaned)?.[1]?.trim()
  return name ? unescapeXml(name) : undefined
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')
}

/** SPDX 2.x tag-value: the document creation section comes first. https://spdx.github.io/spdx-spec/v2.3/document-creation-information/ */
function fromTagValue(text: string): Pick<DetectedSbom, 'format' | 'specVersion' | 'name'> | undefined {
  const version = /^SPDXVersion:[ \t]*SPDX-(\S+)[ \t]*$/m.exec(text)?.[1]
  const id = /^SPDXID:[ \t]*SPDXRef-\S+/m.test(text)
  if (!version || !id) return undefined
  return { format: 'spdx-tag-value', specVersion: version, name: /^DocumentName:[ \t]*(.+?)[ \t]*$/m.exec(text)?.[1] }
}

/** Longest annotation value taken from an SBOM's own text (a name); longer ones are cut. */
export const MAX_SBOM_ANNOTATION_VALUE = 256

/** Annotations of an SBOM referrer. */
export function sbomAnnotations(s: DetectedSbom, created: string, prefix: string): Record<string, string> {
  const p = `${prefix}.sbom`
  const out: Record<string, string> = {
    [`${p}.format`]: s.format,
    [Annotation.Created]: created,
    [Annotation.Title]: basename(s.path)
  }
  if (s.specVersion) out[`${p}.spec-version`] = s.specVersion.slice(0, MAX_SBOM_ANNOTATION_VALUE)
  if (s.name) out[`${p}.name`] = s.name.slice(0, MAX_SBOM_ANNOTATION_VALUE)
  return out
}
