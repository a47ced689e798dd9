/**
 * The action's and the CLI's inputs, as one table: each input's name, type, default and the
 * commands it applies to. action.yml (generated from it), the zod schema of src/inputs.ts (a field
 * per input, its type and default from here), the CLI's flags (booleans, repeatable lists) and
 * per-command --help, and which input applies to which command all follow from it.
 */
import { DEFAULT_ANNOTATION_PREFIX } from './metadata/codec.js'
import { GITHUB_ACTIONS_ISSUER } from './sign/signer.js'
import { DEFAULT_REQUIREMENT } from './verify/requirements.js'
import {
  COMMANDS,
  type Command,
  DEFAULT_DISCOVER_DEPTH,
  DEFAULT_VERIFY_TIMEOUT_SECONDS,
  DISCOVER_FORMATS,
  type InputSpec,
  MAX_DISCOVER_DEPTH,
  MAX_VERIFY_TIMEOUT_SECONDS,
  MODES,
  PLATFORM_SCOPES
} from './input-types.js'

export { COMMANDS, type Command, FALSE_WORDS, type InputSpec, type Mode, TRUE_WORDS } from './input-types.js'

const ALL: readonly Command[] = COMMANDS

const SPECS = [
  {
    name: 'image',
    type: 'raw',
    required: true,
    commands: ALL,
    description: 'Image to attach to or read: [registry/]repository[:tag][@digest], or oci:<dir>[:tag|@digest] for an OCI image layout.'
  },
  {
    name: 'digest',
    commands: ALL,
    description: 'Subject digest from the build step (e.g. the digest output of docker/build-push-action). Must agree with a digest given in image.'
  },
  {
    name: 'command',
    type: 'enum',
    values: COMMANDS,
    default: 'attach',
    word: true,
    commands: ALL,
    description:
      'attach (write, then verify), verify (read only: the release gate), discover (list the referrers tree) or get (read back the metadata, an SBOM, ' +
      'provenance or any referrer).'
  },
  {
    name: 'mode',
    type: 'enum',
    values: MODES,
    default: 'artifact',
    commands: ['attach'],
    elsewhere: 'warn',
    instead: 'the read commands find metadata written in either mode',
    description:
      'artifact (an OCI artifact linked by subject; the image digest is unchanged) or annotations (encoded into the image manifest itself; the digest ' +
      'changes, and the tag moves only from the image named, never back from a newer build).'
  },
  {
    name: 'metadata',
    commands: ['attach'],
    instead: 'run attach to write metadata',
    description: 'Extra user fields as a JSON object, stored under "user" in the document.'
  },
  {
    name: 'metadata-file',
    commands: ['attach'],
    instead: 'run attach to write metadata',
    description: 'Path of a JSON file with extra user fields (merged under "user"; the metadata input wins on conflicts).'
  },
  {
    name: 'annotations',
    type: 'lines',
    commands: ['attach'],
    instead: 'run attach to write annotations',
    description:
      "Extra annotations, one key=value per line: on the artifact manifest, or in annotations mode on the image's own. Refused like metadata: what " +
      'looks like a secret, keys this tool writes (the prefix, org.opencontainers.image.created) and namespaces of others (org.opencontainers, ' +
      "io.cncf, dev.sigstore, vnd.docker, in-toto.io, ...) but the image spec's keys for image authors."
  },
  {
    name: 'sbom',
    type: 'list',
    commands: ['attach'],
    instead: 'run attach to attach an SBOM; verify checks one is there with require: sbom',
    description: 'Paths or globs of SBOM files to attach (SPDX or CycloneDX, detected from content), newline or comma separated.'
  },
  {
    name: 'provenance',
    type: 'boolean',
    default: 'false',
    commands: ['attach'],
    instead: 'run attach to attach provenance; verify checks it is there with require: provenance',
    description: 'true to generate and attach an in-toto SLSA v1 provenance statement (signed with sign: true).'
  },
  {
    name: 'require',
    type: 'list',
    default: DEFAULT_REQUIREMENT,
    commands: ['verify'],
    instead: 'run verify to check what is attached',
    description:
      'For verify: what must be present, newline or comma separated: metadata, sbom, provenance, signature (a cosign v3 signature), private (a ' +
      'private part in the metadata; with identity, one it opens), a predicate type URI (https://slsa.dev/provenance/v1), or artifactType ' +
      'strings. Keywords in any case.'
  },
  {
    name: 'revision',
    commands: ['verify'],
    instead: 'run verify to check the commit',
    description: 'For verify: the commit the metadata must name (e.g. ${{ github.sha }}). Empty: not checked.'
  },
  {
    name: 'max-age',
    commands: ['verify'],
    instead: 'run verify to check the age',
    description: 'For verify: the metadata must be at most this old, e.g. 90d, 12h, 30m (a number alone is seconds). Empty: not checked.'
  },
  {
    name: 'platforms',
    type: 'enum',
    values: PLATFORM_SCOPES,
    default: 'index',
    commands: ['attach', 'verify'],
    instead: 'discover shows every platform; get reads one with platform: linux/amd64',
    description: 'For an image index: index (attach to and verify the index) or each (also every platform manifest; verify requires each to pass).'
  },
  {
    name: 'username',
    commands: ALL,
    description: 'Registry username. Otherwise Docker config.json and credential helpers, then GITHUB_TOKEN for ghcr.io, then anonymous.'
  },
  { name: 'password', type: 'raw', commands: ALL, description: 'Registry password or token (masked in logs).' },
  {
    name: 'verify-timeout',
    type: 'number',
    min: 0,
    max: MAX_VERIFY_TIMEOUT_SECONDS,
    unit: 'seconds',
    default: String(DEFAULT_VERIFY_TIMEOUT_SECONDS),
    commands: ['attach'],
    elsewhere: 'warn',
    instead: 'it is the wait for the read-back after attach writes',
    description: 'Seconds to wait for the registry to show what was written.'
  },
  {
    name: 'annotation-prefix',
    default: DEFAULT_ANNOTATION_PREFIX,
    commands: ['attach', 'verify', 'get'],
    elsewhere: 'warn',
    description:
      'Reverse-domain prefix of the annotation keys that carry the document; a namespace that belongs to others (org.opencontainers, io.cncf, ' +
      'dev.sigstore, vnd.docker, in-toto.io, ...) is refused.'
  },
  {
    name: 'insecure-registries',
    type: 'list',
    commands: ALL,
    description: 'Registry hosts to reach over plain HTTP (loopback is always allowed), newline or comma separated.'
  },
  { name: 'summary', type: 'boolean', default: 'true', commands: ALL, only: 'action', description: 'Write the job summary (GitHub Actions).' },
  {
    name: 'writer-id',
    commands: ['attach'],
    elsewhere: 'warn',
    instead: 'it names a writer of attach',
    description:
      'Names this writer among the writers of one job that attach to the same image with the same inputs (matrix legs, repeated steps), e.g. ${{ ' +
      'matrix.platform }}. Only a later attempt of the same writer replaces its earlier artifacts (outside CI: a later run). Default: told apart by job, ' +
      "step, matrix leg and inputs (outside CI: the commit, the inputs and the metadata's content)."
  },
  {
    name: 'sign',
    type: 'boolean',
    default: 'false',
    commands: ['attach'],
    instead: 'run attach to sign; verify checks who signed with signer',
    description:
      'true to sign the provenance and the metadata document keylessly with Sigstore (needs permissions: id-token: write) and attach each bundle as a ' +
      'referrer, as actions/attest does.'
  },
  {
    name: 'sigstore',
    type: 'lines',
    default: 'auto',
    commands: ['attach'],
    elsewhere: 'warn',
    instead: 'verify trusts the root given in trusted-root',
    description:
      "Sigstore instance for sign: auto (public-good for public repositories, GitHub's own for private and internal ones, as actions/attest chooses), " +
      'public-good, github, or fulcio=, rekor=, tsa= lines for your own.'
  },
  {
    name: 'signer',
    commands: ['verify'],
    instead: 'run verify to check who signed',
    description:
      'For verify: who must have signed the metadata, provenance, signature and predicate-type requirements (only a verified statement counts): a ' +
      'workflow identity (acme/widget/.github/workflows/release.yml@refs/tags/*, * matching anything) or a repository (acme/widget). Empty: not required.'
  },
  {
    name: 'signer-issuer',
    default: GITHUB_ACTIONS_ISSUER,
    commands: ['verify'],
    instead: 'run verify to check who signed',
    description: "For verify with signer: the OIDC issuer the signer's certificate must name."
  },
  {
    name: 'trusted-root',
    commands: ['verify'],
    instead: 'run verify to check who signed',
    description:
      "For verify: a Sigstore trusted_root.json, or the JSON Lines gh attestation trusted-root prints (public-good and GitHub's instance, for private " +
      "repositories). Default: Sigstore's public-good root through TUF, when a signer is given."
  },
  {
    name: 'private',
    type: 'raw',
    commands: ['attach'],
    instead: 'run attach to write a private part; verify and get read it with identity',
    description:
      'Private fields as a JSON object, encrypted with age for recipients and stored as the private part of the document (version 2); only the ' +
      'recipients can read them. Never logged, never in an output.'
  },
  {
    name: 'private-file',
    commands: ['attach'],
    instead: 'run attach to write a private part; verify and get read it with identity',
    description: 'Path of a JSON file with private fields (merged with private; the private input wins on conflicts).'
  },
  {
    name: 'recipients',
    type: 'lines',
    commands: ['attach'],
    instead: 'run attach to write a private part',
    description:
      'The age public keys private is encrypted for, one per line: X25519 (age1…, as age-keygen prints them), post-quantum (age1pq1…) or hardware ' +
      'key (age1tag1…) recipients. Any age implementation (age, rage) decrypts the part with a matching identity.'
  },
  {
    name: 'identity',
    commands: ['verify', 'get'],
    instead: 'the private part is read by verify (policy, require: private) and get (artifact-type: private)',
    description:
      'For verify and get: an age identity file (AGE-SECRET-KEY-1… lines, as age-keygen writes it) that opens the private part; also taken from ' +
      'the OCI_BUILD_METADATA_IDENTITY environment variable. Masked; the decrypted part is never logged.'
  },
  {
    name: 'policy',
    type: 'lines',
    commands: ['verify'],
    instead: 'run verify to check release conditions',
    description:
      'For verify: release conditions in CEL, one expression per line, each a row of the gate, over metadata, provenance, sbom, image, signer, now ' +
      'and (with identity) private, e.g. metadata.source.ref == "refs/heads/main". An expression that does not parse or type-check stops the gate ' +
      'before any request (exit 2).'
  },
  {
    name: 'policy-file',
    commands: ['verify'],
    instead: 'run verify to check release conditions',
    description: 'For verify: a file of CEL expressions, one per line (lines starting with // are comments), checked with policy.'
  },
  {
    name: 'matrix',
    actionDefault: '${{ toJSON(matrix) }}',
    commands: ['attach'],
    elsewhere: 'ignore',
    description:
      "The matrix values of this job's leg as JSON, part of the writer's identity so that matrix legs never replace each other's artifacts. The action " +
      "fills it in from the matrix context; the CLI takes --matrix '${{ toJSON(matrix) }}'."
  },
  {
    name: 'artifact-type',
    commands: ['discover', 'get'],
    instead: 'verify requires an artifactType with require',
    description:
      'For discover: show only referrers of this artifactType. For get: what to read: metadata (default), sbom, provenance, private (the ' +
      'private part, decrypted with identity), or an artifactType string.'
  },
  {
    name: 'artifact',
    commands: ['get'],
    description: 'For get: the digest of the referrer (or BuildKit attestation manifest) to read, when several match (get lists them).'
  },
  {
    name: 'platform',
    commands: ['get'],
    instead: 'attach and verify take platforms: each',
    description: 'For get on an image index: the platform (linux/amd64) whose referrers and BuildKit attestations to read.'
  },
  {
    name: 'output',
    commands: ['get'],
    description: 'For get: the file to write what was read to, byte for byte (the CLI writes to standard output without it).'
  },
  {
    name: 'depth',
    type: 'number',
    min: 1,
    max: MAX_DISCOVER_DEPTH,
    whole: true,
    default: String(DEFAULT_DISCOVER_DEPTH),
    commands: ['discover'],
    elsewhere: 'warn',
    description: `For discover: how many levels of referrers of referrers to show, 1 to ${MAX_DISCOVER_DEPTH}.`
  },
  {
    name: 'format',
    type: 'enum',
    values: DISCOVER_FORMATS,
    default: 'tree',
    commands: ['discover'],
    only: 'cli',
    instead: "--json prints every command's result as JSON",
    description: 'For discover: tree, table, or json (the shape of oras discover --format json).'
  }
] as const satisfies readonly InputSpec[]

/** The table; src/inputs.ts derives a typed zod field from each entry (the literal types of SPECS). */
export const INPUT_SPECS: readonly InputSpec[] = SPECS
export type InputSpecs = typeof SPECS
export type InputName = InputSpecs[number]['name']
