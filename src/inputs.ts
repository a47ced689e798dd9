/**
 * Every input of the action and the CLI, in one zod schema. The action reads `INPUT_*` through
 * @actions/core and the CLI reads flags; both hand raw strings here and get the same `Inputs`.
 * No @actions import: this module is shared by both entries and the tests.
 */
import { z } from 'zod'
import { describeError, UsageError } from './errors.js'
import { ANNOTATION_PREFIX_PATTERN, DEFAULT_ANNOTATION_PREFIX } from './metadata/codec.js'
import { foreignNamespaceProblem, parseUserAnnotations } from './metadata/user-annotations.js'
import { parseReference, type ImageRef } from './oci/reference.js'
import { isDigest } from './oci/digest.js'
import { parseSigstoreSetting } from './sign/instance.js'
import { GITHUB_ACTIONS_ISSUER, parseExpectedSigner } from './sign/signer.js'
import { COMMANDS, DEFAULT_DISCOVER_DEPTH, DEFAULT_VERIFY_TIMEOUT_SECONDS, INPUT_SPECS, MAX_DISCOVER_DEPTH, MAX_VERIFY_TIMEOUT_SECONDS } from './input-specs.js'
import { hasControlCharacter, maxAge, parseMatrix } from './input-values.js'
import { parseRequirement, REQUIREMENT_FORMS } from './verify/requirements.js'
import { privateInputs } from './private/options.js'
import { policyInputs } from './policy/options.js'

export { INPUT_SPECS, type Command } from './input-specs.js'
export { OUTPUT_SPECS } from './output-specs.js'
export { parseDuration } from './input-values.js'

export const MODES = ['artifact', 'annotations'] as const
export const PLATFORM_SCOPES = ['index', 'each'] as const
/** discover's output formats, as `oras discover --format` names them. */
export const DISCOVER_FORMATS = ['tree', 'table', 'json'] as const
/** `os/architecture[/variant]`, as image-spec's platform and `docker --platform` write it. */
const PLATFORM = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?$/
export type Mode = (typeof MODES)[number]

/** Longest `writer-id`: it is hashed into the key, but it is also shown in messages. */
export const MAX_WRITER_ID_LENGTH = 256

const list = (s: string | undefined): string[] =>
  (s ?? '')
    .split(/[\n,]/)
    .map(x => x.trim())
    .filter(Boolean)

const bool = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim().toLowerCase()
      if (s === '' || s === 'false' || s === '0' || s === 'no') return false
      if (s === 'true' || s === '1' || s === 'yes') return true
      ctx.addIssue({ code: 'custom', message: `input ${name} must be true or false, got "${v}"` })
      return z.NEVER
    })

export const rawInputsSchema = z.object({
  image: z.string().optional(),
  digest: z.string().optional(),
  command: z.string().optional(),
  mode: z.string().optional(),
  metadata: z.string().optional(),
  'metadata-file': z.string().optional(),
  annotations: z.string().optional(),
  sbom: z.string().optional(),
  provenance: z.string().optional(),
  require: z.string().optional(),
  revision: z.string().optional(),
  'max-age': z.string().optional(),
  platforms: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  'verify-timeout': z.string().optional(),
  'annotation-prefix': z.string().optional(),
  'insecure-registries': z.string().optional(),
  summary: z.string().optional(),
  'writer-id': z.string().optional(),
  sign: z.string().optional(),
  sigstore: z.string().optional(),
  signer: z.string().optional(),
  'signer-issuer': z.string().optional(),
  'trusted-root': z.string().optional(),
  matrix: z.string().optional(),
  'artifact-type': z.string().optional(),
  artifact: z.string().optional(),
  platform: z.string().optional(),
  output: z.string().optional(),
  depth: z.string().optional(),
  format: z.string().optional(),
  private: z.string().optional(),
  'private-file': z.string().optional(),
  recipients: z.string().optional(),
  identity: z.string().optional(),
  policy: z.string().optional(),
  'policy-file': z.string().optional()
})
export type RawInputs = z.infer<typeof rawInputsSchema>

type Raw = RawInputs
type Ctx = z.RefinementCtx
const issue = (ctx: Ctx, message: string) => ctx.addIssue({ code: 'custom', message })
const text = (v: string | undefined) => (v ?? '').trim() || undefined

/** The image: the reference exactly as given, parsed once, and the digest to act on. */
function subjectInputs(r: Raw, ctx: Ctx) {
  const image = (r.image ?? '').trim()
  if (!image) issue(ctx, 'input image is required. Give [registry/]repository[:tag][@digest] or oci:<dir>[:tag]')
  const ref = image ? usage(ctx, () => parseReference(r.image as string)) : undefined
  const digestInput = text(r.digest)
  if (digestInput && !isDigest(digestInput)) issue(ctx, `input digest "${digestInput}" is not a digest: expected sha256:<64 hex digits>`)
  if (digestInput && ref?.digest && digestInput !== ref.digest) {
    issue(ctx, `input digest ${digestInput} does not match the digest in image "${ref.original}" (${ref.digest}). Give one, or make them agree`)
  }
  // the digest to act on: the digest input, else the one in the reference
  return { image, ref: ref as ImageRef, digest: digestInput ?? ref?.digest }
}

function oneOf<T extends string>(r: string | undefined, fallback: T, allowed: readonly T[], name: string, ctx: Ctx): T {
  const v = ((r ?? '').trim() || fallback) as T
  const words = allowed.length > 2 ? `one of ${allowed.join(', ')}` : allowed.join(' or ')
  if (!allowed.includes(v)) issue(ctx, `input ${name} must be ${words}, got "${r}"`)
  return v
}

/** Credentials, plain-HTTP hosts and the read-back budget. */
function registryInputs(r: Raw, ctx: Ctx) {
  const username = text(r.username)
  const password = r.password ? r.password : undefined
  if ((username && !password) || (!username && password))
    issue(ctx, `input ${username ? 'password' : 'username'} is missing. Give both username and password, or neither`)
  const vt = (r['verify-timeout'] ?? '').trim() || String(DEFAULT_VERIFY_TIMEOUT_SECONDS)
  const verifyTimeout = Number(vt)
  if (!/^\d+(\.\d+)?$/.test(vt) || !Number.isFinite(verifyTimeout) || verifyTimeout > MAX_VERIFY_TIMEOUT_SECONDS) {
    issue(ctx, `input verify-timeout must be a number of seconds from 0 to ${MAX_VERIFY_TIMEOUT_SECONDS}, got "${r['verify-timeout']}"`)
  }
  return {
    username,
    password,
    verifyTimeoutSeconds: Number.isFinite(verifyTimeout) ? verifyTimeout : DEFAULT_VERIFY_TIMEOUT_SECONDS,
    insecureRegistries: list(r['insecure-registries'])
  }
}

/** What attach writes and how: the document's inputs, annotations, SBOMs, provenance, signing, the writer's identity. */
function attachInputs(r: Raw, ctx: Ctx, mode: Mode) {
  const prefix = (r['annotation-prefix'] ?? '').trim() || DEFAULT_ANNOTATION_PREFIX
  if (!ANNOTATION_PREFIX_PATTERN.test(prefix)) issue(ctx, `input annotation-prefix must be a reverse-domain name like com.example.build, got "${prefix}"`)
  const foreignPrefix = foreignNamespaceProblem('input annotation-prefix', prefix, { authorKeysAllowed: false })
  if (foreignPrefix) issue(ctx, foreignPrefix)
  // the same checks in both modes: secrets, keys this tool writes, namespaces of others
  const { annotations, problems } = parseUserAnnotations(r.annotations, prefix)
  for (const p of problems) issue(ctx, p)
  const sbom = list(r.sbom)
  const provenance = flag(r, 'provenance', false, ctx)
  const sign = flag(r, 'sign', false, ctx)
  // each of these is attached as its own referrer, which annotations mode does not write
  for (const [name, given] of [
    ['sbom', sbom.length > 0],
    ['provenance', provenance],
    ['sign', sign]
  ] as const) {
    if (given && mode === 'annotations')
      issue(ctx, `input ${name} needs mode: artifact: it is attached as its own referrer, not into annotations. Use mode: artifact`)
  }
  const writerId = text(r['writer-id'])
  if (writerId && (writerId.length > MAX_WRITER_ID_LENGTH || hasControlCharacter(writerId))) {
    issue(ctx, `input writer-id must be one line of at most ${MAX_WRITER_ID_LENGTH} characters, e.g. \${{ matrix.platform }}`)
  }
  return {
    metadata: text(r.metadata),
    metadataFile: text(r['metadata-file']),
    annotations,
    annotationPrefix: prefix,
    sbom,
    provenance,
    sign,
    sigstore: usage(ctx, () => parseSigstoreSetting(r.sigstore)) ?? { kind: 'auto' as const },
    writerId,
    matrix: parseMatrix(r.matrix, ctx)
  }
}

/** What the gate requires: requirement names, the commit, the age, the signer and its trust root. */
function gateInputs(r: Raw, ctx: Ctx) {
  // keywords in any case (SBOM), predicate type URIs, artifactTypes; each kept by its canonical name
  const require: string[] = []
  for (const req of list(r.require)) {
    const parsed = parseRequirement(req)
    if (!parsed) issue(ctx, `require: "${req}" is not one of ${REQUIREMENT_FORMS}. Give one of those`)
    else if (!require.includes(parsed.name)) require.push(parsed.name)
  }
  const revision = text(r.revision)
  if (revision && !/^[0-9a-f]{7,64}$/i.test(revision)) issue(ctx, `input revision must be a commit sha (7 to 64 hex digits), got "${revision}"`)
  const maxAgeMs = maxAge(r['max-age'], ctx)
  const signerIssuer = (r['signer-issuer'] ?? '').trim() || GITHUB_ACTIONS_ISSUER
  if (!/^https:\/\/\S+$/.test(signerIssuer)) issue(ctx, `input signer-issuer must be an https URL, got "${signerIssuer}"`)
  const signerText = (r.signer ?? '').trim()
  return {
    require,
    revision,
    maxAgeMs,
    signer: signerText ? usage(ctx, () => parseExpectedSigner(signerText, signerIssuer)) : undefined,
    trustedRoot: text(r['trusted-root'])
  }
}

/** What the read commands take: which referrer (get), the platform, where to write, discover's depth and format. */
function readInputs(r: Raw, ctx: Ctx) {
  // get reads what the gate counts: a keyword (any case) but signature's and predicates' statements, or an artifactType
  const given = text(r['artifact-type'])
  const parsed = given ? parseRequirement(given) : undefined
  const readable =
    parsed &&
    (parsed.kind === 'artifactType' || parsed.kind === 'metadata' || parsed.kind === 'sbom' || parsed.kind === 'provenance' || parsed.kind === 'private')
  if (given && !readable)
    issue(ctx, `input artifact-type "${given}" is neither metadata, sbom, provenance, private nor an artifactType (type/subtype). Give one of those`)
  const artifact = text(r.artifact)
  if (artifact && !isDigest(artifact)) issue(ctx, `input artifact "${artifact}" is not a digest: give the sha256:<64 hex digits> that get or discover listed`)
  const platform = text(r.platform)
  if (platform && !PLATFORM.test(platform)) issue(ctx, `input platform must be os/architecture[/variant] like linux/amd64, got "${platform}"`)
  const d = (r.depth ?? '').trim() || String(DEFAULT_DISCOVER_DEPTH)
  const depth = Number(d)
  const depthOk = /^\d+$/.test(d) && depth >= 1 && depth <= MAX_DISCOVER_DEPTH
  if (!depthOk) issue(ctx, `input depth must be a whole number from 1 to ${MAX_DISCOVER_DEPTH}, got "${r.depth}"`)
  return {
    artifactType: readable ? parsed.name : undefined,
    artifact,
    platform,
    output: text(r.output),
    depth: depthOk ? depth : DEFAULT_DISCOVER_DEPTH,
    format: oneOf(r.format, 'tree', DISCOVER_FORMATS, 'format', ctx)
  }
}

/** A true/false input. */
function flag(r: Raw, name: 'provenance' | 'sign' | 'summary', fallback: boolean, ctx: Ctx): boolean {
  const got = bool(name).safeParse(r[name])
  if (!got.success) issue(ctx, `input ${name} must be true or false, got "${r[name]}"`)
  return got.success ? got.data : fallback
}

const inputsSchema = rawInputsSchema.transform((r, ctx) => {
  const subject = subjectInputs(r, ctx)
  const mode = oneOf(r.mode, 'artifact', MODES, 'mode', ctx)
  return {
    ...subject,
    command: oneOf(r.command, 'attach', COMMANDS, 'command', ctx),
    mode,
    platforms: oneOf(r.platforms, 'index', PLATFORM_SCOPES, 'platforms', ctx),
    ...registryInputs(r, ctx),
    ...attachInputs(r, ctx, mode),
    ...gateInputs(r, ctx),
    ...readInputs(r, ctx),
    ...privateInputs(r, ctx),
    ...policyInputs(r, ctx),
    summary: flag(r, 'summary', true, ctx)
  }
})

/** Run a parser that throws UsageError inside the schema: its message becomes an issue. */
function usage<T>(ctx: z.RefinementCtx, parse: () => T): T | undefined {
  try {
    return parse()
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: describeError(e).replace(/\.$/, '') })
    return undefined
  }
}

export type Inputs = z.output<typeof inputsSchema>

/** Validate raw strings into `Inputs`, or throw one UsageError that lists every problem, one per line. */
export function parseInputs(raw: RawInputs): Inputs {
  // an empty input means "not given" (the runner passes unset inputs as ''): apply the default
  const withDefaults: Record<string, string | undefined> = { ...raw }
  for (const spec of INPUT_SPECS) {
    const v = withDefaults[spec.name]
    if ((v === undefined || v.trim() === '') && spec.default !== undefined) withDefaults[spec.name] = spec.default
  }
  const res = inputsSchema.safeParse(withDefaults)
  if (!res.success) {
    const msgs = [...new Set(res.error.issues.map(i => i.message))]
    throw new UsageError(msgs.join('; '))
  }
  return res.data
}
