/**
 * Every input of the action and the CLI, in one zod schema. The action reads `INPUT_*` through
 * @actions/core and the CLI reads flags; both hand raw strings here and get the same `Inputs`.
 * Each input's field comes from the table (src/input-fields.ts: default, type, range); the rules
 * of single inputs the table cannot say refine their field here, and the rules across inputs are
 * the transforms of five sections, which the schema intersects: zod parses every section, so all
 * problems are found in one run. No @actions import: this module is shared by both entries and the tests.
 */
import { z } from 'zod'
import { describeClause, isOciError, UsageError } from './errors.js'
import { FIELDS, type RawInputs } from './input-fields.js'
import { hasControlCharacter, issue, maxAge, parseMatrix } from './input-values.js'
import { ANNOTATION_PREFIX_PATTERN } from './metadata/codec.js'
import { foreignNamespaceProblem, parseUserAnnotations } from './metadata/user-annotations.js'
import { isDigest } from './oci/digest.js'
import { parseReference } from './oci/reference.js'
import { parseSigstoreSetting } from './sign/instance.js'
import { parseExpectedSigner } from './sign/signer.js'
import { ARTIFACT_KINDS, isArtifactKind, parseRequirement, REQUIREMENT_FORMS } from './verify/requirements.js'
import { privateRules } from './private/options.js'
import { policyRules } from './policy/options.js'

export { type Command, INPUT_SPECS, type Mode } from './input-specs.js'
export type { RawInputs } from './input-fields.js'
export { OUTPUT_SPECS } from './output-specs.js'
export { parseDuration } from './input-values.js'

/** `os/architecture[/variant]`, as image-spec's platform and `docker --platform` write it. */
const PLATFORM = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?$/
/** Longest `writer-id`: it is hashed into the key, but it is also shown in messages. */
export const MAX_WRITER_ID_LENGTH = 256

type Ctx = z.RefinementCtx

/**
 * Run a parser that throws UsageError inside the schema: its message becomes an issue. Any other
 * error is no finding about the input: it goes on up (a bug is exit 4, not "bad input").
 */
function usage<T>(ctx: Ctx, parse: () => T): T | undefined {
  try {
    return parse()
  } catch (e) {
    if (!isOciError(e, 'INVALID_INPUT') && !isOciError(e, 'INVALID_REFERENCE')) throw e
    issue(ctx, describeClause(e))
    return undefined
  }
}

/** A field that must hold a digest when given. */
const digestField = (field: z.ZodType<string | undefined, string | undefined>, message: (v: string) => string) =>
  field.refine(v => v === undefined || isDigest(v), { error: iss => message(iss.input as string) })

/** The single-input rules the table cannot say, on top of its fields. */
const F = {
  ...FIELDS,
  image: FIELDS.image.refine(v => v !== undefined, 'input image is required. Give [registry/]repository[:tag][@digest] or oci:<dir>[:tag]'),
  digest: digestField(FIELDS.digest, v => `input digest "${v}" is not a digest: expected sha256:<64 hex digits>`),
  artifact: digestField(FIELDS.artifact, v => `input artifact "${v}" is not a digest: give the sha256:<64 hex digits> that get or discover listed`),
  revision: FIELDS.revision.refine(v => v === undefined || /^[0-9a-f]{7,64}$/i.test(v), {
    error: iss => `input revision must be a commit sha (7 to 64 hex digits), got "${iss.input}"`
  }),
  'writer-id': FIELDS['writer-id'].refine(v => v === undefined || (v.length <= MAX_WRITER_ID_LENGTH && !hasControlCharacter(v)), {
    error: `input writer-id must be one line of at most ${MAX_WRITER_ID_LENGTH} characters, e.g. \${{ matrix.platform }}`
  }),
  platform: FIELDS.platform.refine(v => v === undefined || PLATFORM.test(v), {
    error: iss => `input platform must be os/architecture[/variant] like linux/amd64, got "${iss.input}"`
  }),
  'signer-issuer': FIELDS['signer-issuer'].refine(v => /^https:\/\/\S+$/.test(v ?? ''), {
    error: iss => `input signer-issuer must be an https URL, got "${iss.input}"`
  }),
  'annotation-prefix': FIELDS['annotation-prefix'].transform((v, ctx) => {
    const prefix = v as string // it has a default
    if (!ANNOTATION_PREFIX_PATTERN.test(prefix)) issue(ctx, `input annotation-prefix must be a reverse-domain name like com.example.build, got "${prefix}"`)
    const foreign = foreignNamespaceProblem('input annotation-prefix', prefix, { authorKeysAllowed: false })
    if (foreign) issue(ctx, foreign)
    return prefix
  }),
  'max-age': FIELDS['max-age'].transform((v, ctx) => maxAge(v, ctx)),
  matrix: FIELDS.matrix.transform((v, ctx) => parseMatrix(v, ctx)),
  sigstore: FIELDS.sigstore.transform((v, ctx) => usage(ctx, () => parseSigstoreSetting(v)) ?? { kind: 'auto' as const }),
  // keywords in any case (SBOM), predicate type URIs, artifactTypes; each kept once, by its canonical name
  require: FIELDS.require.transform((list, ctx) => {
    const names: string[] = []
    for (const req of list) {
      const parsed = parseRequirement(req)
      if (!parsed) issue(ctx, `require: "${req}" is not one of ${REQUIREMENT_FORMS}. Give one of those`)
      else if (!names.includes(parsed.name)) names.push(parsed.name)
    }
    return names
  }),
  // get reads what attach writes (a keyword, any case), the private part, or an artifactType; not signature's or predicates' statements
  'artifact-type': FIELDS['artifact-type'].transform((given, ctx) => {
    if (given === undefined) return undefined
    const parsed = parseRequirement(given)
    if (parsed && (parsed.kind === 'artifactType' || isArtifactKind(parsed.kind) || parsed.kind === 'private')) return parsed.name
    issue(ctx, `input artifact-type "${given}" is neither ${ARTIFACT_KINDS.join(', ')}, private nor an artifactType (type/subtype). Give one of those`)
    return undefined
  })
}

/** The image: the reference exactly as given, parsed once, and the digest to act on (which must agree with it). */
const subjectSection = z.object({ image: F.image, digest: F.digest, command: F.command }).transform((f, ctx) => {
  const ref = usage(ctx, () => parseReference(f.image as string))
  if (f.digest && ref?.digest && f.digest !== ref.digest) {
    issue(ctx, `input digest ${f.digest} does not match the digest in image "${ref.original}" (${ref.digest}). Give one, or make them agree`)
  }
  // the digest to act on: the digest input, else the one in the reference
  return { image: (f.image as string).trim(), ref: ref as NonNullable<typeof ref>, digest: f.digest ?? ref?.digest, command: f.command }
})

/** Credentials (both or neither), plain-HTTP hosts and the read-back budget. */
const registrySection = z
  .object({ username: F.username, password: F.password, 'verify-timeout': F['verify-timeout'], 'insecure-registries': F['insecure-registries'] })
  .transform((f, ctx) => {
    if (!f.username !== !f.password) issue(ctx, `input ${f.username ? 'password' : 'username'} is missing. Give both username and password, or neither`)
    return { username: f.username, password: f.password, verifyTimeoutSeconds: f['verify-timeout'], insecureRegistries: f['insecure-registries'] }
  })

/** What attach writes and how: the annotations (checked against the prefix), what needs artifact mode. */
const attachSection = z
  .object({
    mode: F.mode,
    metadata: F.metadata,
    'metadata-file': F['metadata-file'],
    'annotation-prefix': F['annotation-prefix'],
    annotations: F.annotations,
    sbom: F.sbom,
    provenance: F.provenance,
    sign: F.sign,
    sigstore: F.sigstore,
    'writer-id': F['writer-id'],
    matrix: F.matrix,
    platforms: F.platforms
  })
  .transform((f, ctx) => {
    // the same checks in both modes: secrets, keys this tool writes, namespaces of others
    const { annotations, problems } = parseUserAnnotations(f.annotations, f['annotation-prefix'])
    for (const p of problems) issue(ctx, p)
    // each of these is attached as its own referrer, which annotations mode does not write
    for (const [name, given] of [
      ['sbom', f.sbom.length > 0],
      ['provenance', f.provenance],
      ['sign', f.sign]
    ] as const) {
      if (given && f.mode === 'annotations')
        issue(ctx, `input ${name} needs mode: artifact: it is attached as its own referrer, not into annotations. Use mode: artifact`)
    }
    return {
      mode: f.mode,
      platforms: f.platforms,
      metadata: f.metadata,
      metadataFile: f['metadata-file'],
      annotations,
      annotationPrefix: f['annotation-prefix'],
      sbom: f.sbom,
      provenance: f.provenance,
      sign: f.sign,
      sigstore: f.sigstore,
      writerId: f['writer-id'],
      matrix: f.matrix
    }
  })

/** What the gate requires: requirement names, the commit, the age, the signer (named with its issuer) and its trust root. */
const gateSection = z
  .object({
    require: F.require,
    revision: F.revision,
    'max-age': F['max-age'],
    signer: F.signer,
    'signer-issuer': F['signer-issuer'],
    'trusted-root': F['trusted-root']
  })
  .transform((f, ctx) => ({
    require: f.require,
    revision: f.revision,
    maxAgeMs: f['max-age'],
    signer: f.signer ? usage(ctx, () => parseExpectedSigner(f.signer as string, f['signer-issuer'] as string)) : undefined,
    trustedRoot: f['trusted-root']
  }))

/** What the read commands take: which referrer (get), the platform, where to write, discover's depth and format; and the job summary. */
const readSection = z
  .object({
    'artifact-type': F['artifact-type'],
    artifact: F.artifact,
    platform: F.platform,
    output: F.output,
    depth: F.depth,
    format: F.format,
    summary: F.summary
  })
  .transform(f => ({
    artifactType: f['artifact-type'],
    artifact: f.artifact,
    platform: f.platform,
    output: f.output,
    depth: f.depth,
    format: f.format,
    summary: f.summary
  }))

/** The private part (src/private/options.ts): what to encrypt, for whom, and the identities that open it. */
const privateSection = z
  .object({ private: F.private, 'private-file': F['private-file'], recipients: F.recipients, identity: F.identity })
  .transform((f, ctx) => privateRules(f, ctx))

/** The release conditions in CEL (src/policy/options.ts; parsed and type-checked when verify starts). */
const policySection = z.object({ policy: F.policy, 'policy-file': F['policy-file'] }).transform((f, ctx) => policyRules(f, ctx))

/** The sections together: each parses the same raw inputs, zod runs them all and merges their values. */
const inputsSchema = z.intersection(
  z.intersection(z.intersection(z.intersection(subjectSection, registrySection), z.intersection(attachSection, gateSection)), readSection),
  z.intersection(privateSection, policySection)
)

export type Inputs = z.output<typeof inputsSchema>

/** The inputs each section reads: every input of the table, once (a test holds them to it). */
export const SECTION_INPUTS = [subjectSection, registrySection, attachSection, gateSection, readSection, privateSection, policySection].map(s =>
  Object.keys(s.in.shape)
)

/**
 * Validate raw strings into `Inputs`, or throw one UsageError naming every problem: on one line,
 * separated by `; ` (the CLI's error line, the `error` output), and one by one in its `problems`
 * (the action's ::error:: annotations, one each).
 */
export function parseInputs(raw: RawInputs): Inputs {
  const res = inputsSchema.safeParse(raw)
  if (!res.success) throw UsageError.of([...new Set(res.error.issues.map(i => i.message))])
  return res.data
}
