/**
 * Every input of the action and the CLI, in one zod schema. The action reads `INPUT_*` through
 * @actions/core and the CLI reads flags; both hand raw strings here and get the same `Inputs`.
 * No @actions import: this module is shared by both entries and the tests.
 */
import { z } from 'zod'
import { describeError, UsageError } from './errors.js'
import { canonicalJson } from './metadata/canonical.js'
import { ANNOTATION_PREFIX_PATTERN, DEFAULT_ANNOTATION_PREFIX } from './metadata/codec.js'
import { parseReference, type ImageRef } from './oci/reference.js'
import { isDigest } from './oci/digest.js'
import { parseSigstoreSetting } from './sign/instance.js'
import { GITHUB_ACTIONS_ISSUER, parseExpectedSigner } from './sign/signer.js'

export const COMMANDS = ['attach', 'verify', 'discover'] as const
/** What `require` names besides artifactType strings; also the kinds of what attach writes. */
export const REQUIREMENT_KINDS = ['metadata', 'sbom', 'provenance'] as const
/** An artifactType for `require`: a media type, type/subtype. https://www.rfc-editor.org/rfc/rfc6838#section-4.2 */
const ARTIFACT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i
export const MODES = ['artifact', 'annotations'] as const
export const PLATFORM_SCOPES = ['index', 'each'] as const
export type Command = (typeof COMMANDS)[number]
export type Mode = (typeof MODES)[number]

/** Default seconds to wait for a registry to show what was written (GHCR and Hub lag a little). */
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 30
/** Upper bound on verify-timeout: a job should not hang for an hour on a typo. */
export const MAX_VERIFY_TIMEOUT_SECONDS = 600

/** Each input: name, description, default. action.yml and the CLI's --help are checked against this. */
export interface InputSpec {
  name: string
  description: string
  default?: string
  /**
   * action.yml's default when it differs from the CLI's: an expression the runner evaluates in the
   * step's context (input defaults may use `matrix`, `strategy`, `github`, …)
   */
  actionDefault?: string
  required?: boolean
}

/** Longest `writer-id`: it is hashed into the key, but it is also shown in messages. */
export const MAX_WRITER_ID_LENGTH = 256

export const INPUT_SPECS: InputSpec[] = [
  { name: 'image', required: true, description: 'Image to attach to or verify: [registry/]repository[:tag][@digest], or oci:<dir>[:tag|@digest] for an OCI image layout.' },
  { name: 'digest', description: 'Subject digest from the build step (e.g. the digest output of docker/build-push-action). Must agree with a digest given in image.' },
  { name: 'command', default: 'attach', description: 'attach (write, then verify), verify (read only: the release gate) or discover (list the referrers tree).' },
  { name: 'mode', default: 'artifact', description: 'artifact (an OCI artifact linked by subject; the image digest is unchanged) or annotations (encoded into the image manifest itself; the digest changes).' },
  { name: 'metadata', description: 'Extra user fields as a JSON object, stored under "user" in the document.' },
  { name: 'metadata-file', description: 'Path of a JSON file with extra user fields (merged under "user"; the metadata input wins on conflicts).' },
  { name: 'annotations', description: 'Extra annotations for the artifact manifest, one key=value per line.' },
  { name: 'sbom', description: 'Paths or globs of SBOM files to attach (SPDX or CycloneDX, detected from content), newline or comma separated.' },
  { name: 'provenance', default: 'false', description: 'true to generate and attach an in-toto SLSA v1 provenance statement (signed with sign: true).' },
  { name: 'require', description: 'For verify: what must be present, newline or comma separated: metadata, sbom, provenance, or artifactType strings. Default: metadata.' },
  { name: 'revision', description: 'For verify: the commit the metadata must name (e.g. ${{ github.sha }}). Empty: not checked.' },
  { name: 'max-age', description: 'For verify: the metadata must be at most this old, e.g. 90d, 12h, 30m. Empty: not checked.' },
  { name: 'platforms', default: 'index', description: 'For an image index: index (attach to and verify the index) or each (also every platform manifest; verify requires each to pass).' },
  { name: 'username', description: 'Registry username. Otherwise Docker config.json and credential helpers, then GITHUB_TOKEN for ghcr.io, then anonymous.' },
  { name: 'password', description: 'Registry password or token (masked in logs).' },
  { name: 'verify-timeout', default: String(DEFAULT_VERIFY_TIMEOUT_SECONDS), description: 'Seconds to wait for the registry to show what was written.' },
  { name: 'annotation-prefix', default: 'dev.oci-build-metadata', description: 'Reverse-domain prefix of the annotation keys that carry the document.' },
  { name: 'insecure-registries', description: 'Registry hosts to reach over plain HTTP (loopback is always allowed), newline or comma separated.' },
  { name: 'summary', default: 'true', description: 'Write the job summary (GitHub Actions).' },
  {
    name: 'writer-id',
    description:
      'Names this writer among the writers of one job that attach to the same image with the same inputs (matrix legs, repeated steps), e.g. ${{ matrix.platform }}. Only a later attempt of the same writer replaces its earlier artifacts. Default: told apart by job, step, matrix leg and inputs.'
  },
  {
    name: 'sign',
    default: 'false',
    description:
      'true to sign the provenance and the metadata document keylessly with Sigstore (needs permissions: id-token: write) and attach each bundle as a referrer, as actions/attest does.'
  },
  {
    name: 'sigstore',
    default: 'auto',
    description:
      "Sigstore instance for sign: auto (public-good for public repositories, GitHub's own for private and internal ones, as actions/attest chooses), public-good, github, or fulcio=, rekor=, tsa= lines for your own."
  },
  {
    name: 'signer',
    description:
      'For verify: who must have signed the provenance and metadata: a workflow identity (acme/widget/.github/workflows/release.yml@refs/tags/*, * matching anything) or a repository (acme/widget). Empty: signatures are not required.'
  },
  { name: 'signer-issuer', default: 'https://token.actions.githubusercontent.com', description: "For verify with signer: the OIDC issuer the signer's certificate must name." },
  {
    name: 'trusted-root',
    description: "For verify with signer: a Sigstore trusted_root.json (air-gapped runners; GitHub's instance: gh attestation trusted-root). Default: Sigstore's public-good root through TUF."
  },
  {
    name: 'matrix',
    actionDefault: '${{ toJSON(matrix) }}',
    description: "The matrix values of this job's leg as JSON, part of the writer's identity so that matrix legs never replace each other's artifacts. The action fills it in from the matrix context; the CLI takes --matrix '${{ toJSON(matrix) }}'."
  }
]

export const OUTPUT_SPECS: Array<{ name: string; description: string }> = [
  { name: 'subject-digest', description: 'Digest of the image the metadata is attached to.' },
  { name: 'artifact-digest', description: 'Artifact mode: digest of the metadata artifact manifest.' },
  { name: 'image-digest', description: 'Annotations mode: the new digest of the image (it changes).' },
  { name: 'metadata', description: 'The metadata document (JSON).' },
  { name: 'annotations', description: 'The annotations written (JSON object).' },
  { name: 'referrers', description: 'JSON list of the referrers verification saw.' },
  { name: 'verified', description: 'true when verification (or the gate) passed, else false.' },
  { name: 'missing', description: 'JSON list of requirements that verify found missing; empty when nothing could be looked at (exit-code 2 or 3).' },
  { name: 'exit-code', description: 'The exit code: 0 ok, 1 the gate or verification found something missing or wrong, 2 bad usage or input, 3 the registry could not be read or written (network, TLS, proxy, refused credentials, throttled, unavailable).' },
  { name: 'error', description: 'When the step failed without a verdict (exit-code 2 or 3, or 1 for a missing image): the one error line.' }
]

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

const RESERVED_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/

/** `key=value` lines; keys must look like annotation keys; values may contain `=`. */
function parseAnnotationLines(text: string | undefined, ctx: z.RefinementCtx): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) {
      ctx.addIssue({ code: 'custom', message: `annotations: line "${line}" is not key=value` })
      continue
    }
    const key = line.slice(0, eq).trim()
    const value = line.slice(eq + 1).trim()
    if (!RESERVED_KEY.test(key) || key.length > 255) {
      ctx.addIssue({ code: 'custom', message: `annotations: key "${key}" is not a valid annotation key. Use reverse-domain letters, digits, . _ - /` })
      continue
    }
    out[key] = value
  }
  return out
}

/**
 * The matrix leg as the runner passes it (`toJSON(matrix)`: indented JSON, `null` outside a matrix),
 * reduced to canonical JSON so that formatting never changes a writer's identity.
 */
function parseMatrix(text: string | undefined, ctx: z.RefinementCtx): string | undefined {
  const s = (text ?? '').trim()
  if (!s || s === 'null') return undefined
  try {
    const v: unknown = JSON.parse(s)
    if (v === null) return undefined
    return canonicalJson(v)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'input matrix must be JSON, as ${{ toJSON(matrix) }} gives it. Leave it unset and the action fills it in' })
    return undefined
  }
}

/** Durations like 90d, 12h, 30m, 45s, or plain seconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(s.trim())
  if (!m) return undefined
  const n = Number(m[1])
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w']
  return n * unit * 1000
}

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
  matrix: z.string().optional()
})
export type RawInputs = z.infer<typeof rawInputsSchema>

const inputsSchema = rawInputsSchema.transform((r, ctx) => {
  const image = (r.image ?? '').trim()
  if (!image) ctx.addIssue({ code: 'custom', message: 'input image is required. Give [registry/]repository[:tag][@digest] or oci:<dir>[:tag]' })
  // the reference exactly as given, parsed once; the tool acts on its digest
  const ref = image ? usage(ctx, () => parseReference(r.image as string)) : undefined
  const command = ((r.command ?? '').trim() || 'attach') as Command
  if (!COMMANDS.includes(command)) ctx.addIssue({ code: 'custom', message: `input command must be one of ${COMMANDS.join(', ')}, got "${r.command}"` })
  const mode = ((r.mode ?? '').trim() || 'artifact') as Mode
  if (!MODES.includes(mode)) ctx.addIssue({ code: 'custom', message: `input mode must be artifact or annotations, got "${r.mode}"` })
  const platforms = ((r.platforms ?? '').trim() || 'index') as (typeof PLATFORM_SCOPES)[number]
  if (!PLATFORM_SCOPES.includes(platforms)) ctx.addIssue({ code: 'custom', message: `input platforms must be index or each, got "${r.platforms}"` })
  const digestInput = (r.digest ?? '').trim() || undefined
  if (digestInput && !isDigest(digestInput)) ctx.addIssue({ code: 'custom', message: `input digest "${digestInput}" is not a digest: expected sha256:<64 hex digits>` })
  if (digestInput && ref?.digest && digestInput !== ref.digest) {
    ctx.addIssue({ code: 'custom', message: `input digest ${digestInput} does not match the digest in image "${ref.original}" (${ref.digest}). Give one, or make them agree` })
  }
  // the digest to act on: the digest input, else the one in the reference
  const digest = digestInput ?? ref?.digest
  const username = (r.username ?? '').trim() || undefined
  const password = r.password ? r.password : undefined
  if ((username && !password) || (!username && password)) {
    ctx.addIssue({ code: 'custom', message: `input ${username ? 'password' : 'username'} is missing. Give both username and password, or neither` })
  }
  const vt = (r['verify-timeout'] ?? '').trim() || String(DEFAULT_VERIFY_TIMEOUT_SECONDS)
  const verifyTimeout = Number(vt)
  if (!/^\d+(\.\d+)?$/.test(vt) || !Number.isFinite(verifyTimeout) || verifyTimeout > MAX_VERIFY_TIMEOUT_SECONDS) {
    ctx.addIssue({ code: 'custom', message: `input verify-timeout must be a number of seconds from 0 to ${MAX_VERIFY_TIMEOUT_SECONDS}, got "${r['verify-timeout']}"` })
  }
  const maxAgeText = (r['max-age'] ?? '').trim()
  const maxAgeMs = maxAgeText ? parseDuration(maxAgeText) : undefined
  if (maxAgeText && maxAgeMs === undefined) ctx.addIssue({ code: 'custom', message: `input max-age must be a duration like 90d, 12h or 30m, got "${maxAgeText}"` })
  const prefix = (r['annotation-prefix'] ?? '').trim() || DEFAULT_ANNOTATION_PREFIX
  if (!ANNOTATION_PREFIX_PATTERN.test(prefix)) {
    ctx.addIssue({ code: 'custom', message: `input annotation-prefix must be a reverse-domain name like com.example.build, got "${prefix}"` })
  }
  const revision = (r.revision ?? '').trim() || undefined
  if (revision && !/^[0-9a-f]{7,64}$/i.test(revision)) ctx.addIssue({ code: 'custom', message: `input revision must be a commit sha (7 to 64 hex digits), got "${revision}"` })
  const writerId = (r['writer-id'] ?? '').trim() || undefined
  if (writerId && (writerId.length > MAX_WRITER_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(writerId))) {
    ctx.addIssue({ code: 'custom', message: `input writer-id must be one line of at most ${MAX_WRITER_ID_LENGTH} characters, e.g. \${{ matrix.platform }}` })
  }
  const matrix = parseMatrix(r.matrix, ctx)
  const sign = bool('sign').safeParse(r.sign)
  if (!sign.success) ctx.addIssue({ code: 'custom', message: `input sign must be true or false, got "${r.sign}"` })
  if (sign.success && sign.data && mode === 'annotations') ctx.addIssue({ code: 'custom', message: 'input sign needs mode: artifact: each signature bundle is attached as its own referrer. Use mode: artifact' })
  const sigstore = usage(ctx, () => parseSigstoreSetting(r.sigstore))
  const signerIssuer = (r['signer-issuer'] ?? '').trim() || GITHUB_ACTIONS_ISSUER
  if (!/^https:\/\/\S+$/.test(signerIssuer)) ctx.addIssue({ code: 'custom', message: `input signer-issuer must be an https URL, got "${signerIssuer}"` })
  const signerText = (r.signer ?? '').trim()
  const signer = signerText ? usage(ctx, () => parseExpectedSigner(signerText, signerIssuer)) : undefined
  const trustedRoot = (r['trusted-root'] ?? '').trim() || undefined
  const annotations = parseAnnotationLines(r.annotations, ctx)
  for (const k of Object.keys(annotations)) {
    if (k === prefix || k.startsWith(`${prefix}.`)) ctx.addIssue({ code: 'custom', message: `annotations: key ${k} is reserved for the metadata document (prefix ${prefix}). Choose another key` })
  }
  const sbom = list(r.sbom)
  if (sbom.length && mode === 'annotations') ctx.addIssue({ code: 'custom', message: 'input sbom needs mode: artifact: an SBOM is attached as its own referrer, not into annotations. Use mode: artifact' })
  const require = list(r.require)
  for (const req of require) {
    if (!(REQUIREMENT_KINDS as readonly string[]).includes(req) && !ARTIFACT_TYPE.test(req)) {
      ctx.addIssue({ code: 'custom', message: `require: "${req}" is neither ${REQUIREMENT_KINDS.join(', ')} nor an artifactType (type/subtype). Give one of those` })
    }
  }
  const provenance = bool('provenance').safeParse(r.provenance)
  if (provenance.success && provenance.data && mode === 'annotations') ctx.addIssue({ code: 'custom', message: 'input provenance needs mode: artifact: it is attached as its own referrer. Use mode: artifact' })
  const summary = bool('summary').safeParse(r.summary)
  if (!provenance.success) ctx.addIssue({ code: 'custom', message: `input provenance must be true or false, got "${r.provenance}"` })
  if (!summary.success) ctx.addIssue({ code: 'custom', message: `input summary must be true or false, got "${r.summary}"` })
  return {
    image,
    ref: ref as ImageRef,
    digest,
    command,
    mode,
    metadata: (r.metadata ?? '').trim() || undefined,
    metadataFile: (r['metadata-file'] ?? '').trim() || undefined,
    annotations,
    sbom,
    provenance: provenance.success ? provenance.data : false,
    require,
    revision,
    maxAgeMs,
    platforms,
    username,
    password,
    verifyTimeoutSeconds: Number.isFinite(verifyTimeout) ? verifyTimeout : DEFAULT_VERIFY_TIMEOUT_SECONDS,
    annotationPrefix: prefix,
    insecureRegistries: list(r['insecure-registries']),
    summary: summary.success ? summary.data : true,
    writerId,
    matrix,
    sign: sign.success ? sign.data : false,
    sigstore: sigstore ?? { kind: 'auto' as const },
    signer,
    trustedRoot
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
