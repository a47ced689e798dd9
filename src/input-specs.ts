/**
 * The action's and the CLI's inputs and outputs, as a table: action.yml, the CLI's --help and the
 * README's tables are checked against it; src/inputs.ts turns the raw strings into `Inputs`.
 */
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

export const INPUT_SPECS: InputSpec[] = [
  {
    name: 'image',
    required: true,
    description: 'Image to attach to or verify: [registry/]repository[:tag][@digest], or oci:<dir>[:tag|@digest] for an OCI image layout.'
  },
  {
    name: 'digest',
    description: 'Subject digest from the build step (e.g. the digest output of docker/build-push-action). Must agree with a digest given in image.'
  },
  {
    name: 'command',
    default: 'attach',
    description: 'attach (write, then verify), verify (read only: the release gate) or discover (list the referrers tree).'
  },
  {
    name: 'mode',
    default: 'artifact',
    description:
      'artifact (an OCI artifact linked by subject; the image digest is unchanged) or annotations (encoded into the image manifest itself; the digest ' +
      'changes, and the tag moves only from the image named, never back from a newer build).'
  },
  { name: 'metadata', description: 'Extra user fields as a JSON object, stored under "user" in the document.' },
  { name: 'metadata-file', description: 'Path of a JSON file with extra user fields (merged under "user"; the metadata input wins on conflicts).' },
  {
    name: 'annotations',
    description:
      "Extra annotations, one key=value per line: on the artifact manifest, or in annotations mode on the image's own. Refused like metadata: what " +
      'looks like a secret, keys this tool writes (the prefix, org.opencontainers.image.created) and namespaces of others (org.opencontainers, ' +
      "io.cncf, dev.sigstore, vnd.docker, in-toto.io, ...) but the image spec's keys for image authors."
  },
  { name: 'sbom', description: 'Paths or globs of SBOM files to attach (SPDX or CycloneDX, detected from content), newline or comma separated.' },
  { name: 'provenance', default: 'false', description: 'true to generate and attach an in-toto SLSA v1 provenance statement (signed with sign: true).' },
  {
    name: 'require',
    default: 'metadata',
    description:
      'For verify: what must be present, newline or comma separated: metadata, sbom, provenance, signature (a cosign v3 signature), a predicate type ' +
      'URI (https://slsa.dev/provenance/v1), or artifactType strings. Keywords in any case.'
  },
  { name: 'revision', description: 'For verify: the commit the metadata must name (e.g. ${{ github.sha }}). Empty: not checked.' },
  { name: 'max-age', description: 'For verify: the metadata must be at most this old, e.g. 90d, 12h, 30m. Empty: not checked.' },
  {
    name: 'platforms',
    default: 'index',
    description: 'For an image index: index (attach to and verify the index) or each (also every platform manifest; verify requires each to pass).'
  },
  { name: 'username', description: 'Registry username. Otherwise Docker config.json and credential helpers, then GITHUB_TOKEN for ghcr.io, then anonymous.' },
  { name: 'password', description: 'Registry password or token (masked in logs).' },
  { name: 'verify-timeout', default: String(DEFAULT_VERIFY_TIMEOUT_SECONDS), description: 'Seconds to wait for the registry to show what was written.' },
  {
    name: 'annotation-prefix',
    default: 'dev.oci-build-metadata',
    description:
      'Reverse-domain prefix of the annotation keys that carry the document; a namespace that belongs to others (org.opencontainers, io.cncf, ' +
      'dev.sigstore, vnd.docker, in-toto.io, ...) is refused.'
  },
  { name: 'insecure-registries', description: 'Registry hosts to reach over plain HTTP (loopback is always allowed), newline or comma separated.' },
  { name: 'summary', default: 'true', description: 'Write the job summary (GitHub Actions).' },
  {
    name: 'writer-id',
    description:
      'Names this writer among the writers of one job that attach to the same image with the same inputs (matrix legs, repeated steps), e.g. ${{ ' +
      'matrix.platform }}. Only a later attempt of the same writer replaces its earlier artifacts (outside CI: a later run). Default: told apart by job, ' +
      "step, matrix leg and inputs (outside CI: the commit, the inputs and the metadata's content)."
  },
  {
    name: 'sign',
    default: 'false',
    description:
      'true to sign the provenance and the metadata document keylessly with Sigstore (needs permissions: id-token: write) and attach each bundle as a ' +
      'referrer, as actions/attest does.'
  },
  {
    name: 'sigstore',
    default: 'auto',
    description:
      "Sigstore instance for sign: auto (public-good for public repositories, GitHub's own for private and internal ones, as actions/attest chooses), " +
      'public-good, github, or fulcio=, rekor=, tsa= lines for your own.'
  },
  {
    name: 'signer',
    description:
      'For verify: who must have signed the metadata, provenance, signature and predicate-type requirements (only a verified statement counts): a ' +
      'workflow identity (acme/widget/.github/workflows/release.yml@refs/tags/*, * matching anything) or a repository (acme/widget). Empty: not required.'
  },
  {
    name: 'signer-issuer',
    default: 'https://token.actions.githubusercontent.com',
    description: "For verify with signer: the OIDC issuer the signer's certificate must name."
  },
  {
    name: 'trusted-root',
    description:
      "For verify: a Sigstore trusted_root.json, or the JSON Lines gh attestation trusted-root prints (public-good and GitHub's instance, for private " +
      "repositories). Default: Sigstore's public-good root through TUF, when a signer is given."
  },
  {
    name: 'matrix',
    actionDefault: '${{ toJSON(matrix) }}',
    description:
      "The matrix values of this job's leg as JSON, part of the writer's identity so that matrix legs never replace each other's artifacts. The action " +
      "fills it in from the matrix context; the CLI takes --matrix '${{ toJSON(matrix) }}'."
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
  {
    name: 'exit-code',
    description:
      'The exit code: 0 ok, 1 the gate or verification found something missing or wrong, 2 bad usage or input, 3 the registry could not be read or written ' +
      '(network, TLS, proxy, refused credentials, throttled, unavailable).'
  },
  { name: 'error', description: 'When the step failed without a verdict (exit-code 2 or 3, or 1 for a missing image): the one error line.' }
]
