/**
 * The bad-input table, shared by the in-process CLI test and the bundled-action test. Each row names
 * the inputs (action input names; the CLI takes the same as `--name=value`), the exit code, and a
 * pattern the one error line must match. See bad-input-helpers.ts for the exit-code policy.
 */
export interface Env {
  /** distribution's host:port (anonymous, seeded with app:v1) */
  host: string
  /** digest of app:v1 */
  digest: string
  /** a copy of the fixture layout */
  layout: string
  /** a loopback port nothing listens on */
  closed: number
  /** the working directory of bad files (see makeWorkdir) */
  work: string
}

export interface Row {
  name: string
  /** inputs by action name; `image` included */
  inputs: (e: Env) => Record<string, string>
  code: 1 | 2 | 3
  message: RegExp
  /** what the row could have written to: checked unchanged afterwards */
  target: 'registry' | 'layout' | 'none'
  /** CLI only (the action forces some inputs, the CLI others) */
  only?: 'cli' | 'action'
  /** extra CLI argv, for CLI-only rows */
  argv?: string[]
  /** CLI stdin for --password-stdin */
  stdin?: string
  /** a string that must not appear in any output (a secret given in the input) */
  secret?: string
}

const reg = (e: Env, more: Record<string, string> = {}) => ({ image: `${e.host}/app:v1`, ...more })
const lay = (e: Env, more: Record<string, string> = {}) => ({ image: `oci:${e.layout}:v1`, ...more })
const ZERO = `sha256:${'0'.repeat(64)}`
const ONES = `sha256:${'1'.repeat(64)}`
/** A GitHub personal access token as GitHub issues them: ghp_ and 36 letters and digits (not a real one). */
const GITHUB_TOKEN = 'ghp_R8x2Kq7LmP4vT9wZ3nB6cY1dF5gH0jA2sE7u'
/** A private part, and one of its values that must never show (the row's secret). */
const PRIVATE_LEAF = 'INC-4711-customer-acme'
const PRIVATE = JSON.stringify({ ticket: PRIVATE_LEAF })
/** An X25519 age recipient, and the same with its last character changed (a wrong bech32 checksum). */
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
const BAD_CHECKSUM_RECIPIENT = `${RECIPIENT.slice(0, -1)}q`
/** An age identity (not a real one: its checksum is wrong), as a user might paste it into the identity input. */
const PASTED_KEY = 'AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS0ZQR9'
/** The one line for org.opencontainers.image.created, in either mode. */
const CREATED_RESERVED = /annotations: key org\.opencontainers\.image\.created is reserved for the build time, which this tool records itself/

export const ROWS: Row[] = [
  // ---- references
  {
    name: 'reference: uppercase repository',
    inputs: e => ({ image: `${e.host}/App:v1` }),
    code: 2,
    message: /invalid image reference .*"App" is not valid/,
    target: 'registry'
  },
  {
    name: 'reference: whitespace inside',
    inputs: e => ({ image: `${e.host}/app :v1` }),
    code: 2,
    message: /invalid image reference .*whitespace/,
    target: 'registry'
  },
  {
    name: 'reference: tag starting with a dash',
    inputs: e => ({ image: `${e.host}/app:-v1` }),
    code: 2,
    message: /tag "-v1" is not valid/,
    target: 'registry'
  },
  {
    name: 'reference: tag over 128 characters',
    inputs: e => ({ image: `${e.host}/app:${'t'.repeat(129)}` }),
    code: 2,
    message: /tag "t+" is not valid/,
    target: 'registry'
  },
  { name: 'reference: empty tag', inputs: e => ({ image: `${e.host}/app:` }), code: 2, message: /tag "" is not valid/, target: 'registry' },
  {
    name: 'reference: short digest',
    inputs: e => ({ image: `${e.host}/app@sha256:abc` }),
    code: 2,
    message: /digest "sha256:abc" is not valid .*64 lowercase hex/,
    target: 'registry'
  },
  {
    name: 'reference: uppercase digest',
    inputs: e => ({ image: `${e.host}/app@sha256:${'A'.repeat(64)}` }),
    code: 2,
    message: /digest .* is not valid/,
    target: 'registry'
  },
  {
    name: 'reference: unknown digest algorithm',
    inputs: e => ({ image: `${e.host}/app@md5:${'0'.repeat(32)}` }),
    code: 2,
    message: /unsupported digest algorithm "md5"/,
    target: 'registry'
  },
  {
    name: 'reference: invalid registry host',
    inputs: () => ({ image: 'local_host:5000/app:v1' }),
    code: 2,
    message: /registry "local_host:5000" is not a valid host/,
    target: 'none'
  },
  {
    name: 'reference: port out of range',
    inputs: () => ({ image: '127.0.0.1:99999/app:v1' }),
    code: 2,
    message: /port "99999" is not between 1 and 65535/,
    target: 'none'
  },
  {
    name: 'reference: empty path component',
    inputs: e => ({ image: `${e.host}//app:v1` }),
    code: 2,
    message: /repository path component "" is not valid/,
    target: 'registry'
  },
  {
    name: 'reference: name over 255 characters',
    inputs: e => ({ image: `${e.host}/${'a'.repeat(260)}:v1` }),
    code: 2,
    message: /longer than 255 characters/,
    target: 'registry'
  },
  { name: 'reference: two tags', inputs: e => ({ image: `${e.host}/app:v1:v2` }), code: 2, message: /invalid image reference/, target: 'registry' },
  { name: 'reference: image missing', inputs: () => ({ image: '' }), code: 2, message: /input image is required/, target: 'none' },
  {
    name: 'reference: oci: without a directory',
    inputs: () => ({ image: 'oci:' }),
    code: 2,
    message: /no directory after "oci:"\. Give a directory after "oci:", e\.g\. oci:\.\/layout:latest\.$/,
    target: 'none'
  },
  {
    name: 'reference: layout tag invalid',
    inputs: e => ({ image: `oci:${e.layout}:.hidden` }),
    code: 2,
    message: /tag ".hidden" is not valid/,
    target: 'layout'
  },
  // ---- digests
  {
    name: 'digest: input not a digest',
    inputs: e => reg(e, { digest: 'sha256:ABCD' }),
    code: 2,
    message: /input digest "sha256:ABCD" is not a digest/,
    target: 'registry'
  },
  {
    name: 'digest: input of another algorithm',
    inputs: e => reg(e, { digest: `md5:${'0'.repeat(32)}` }),
    code: 2,
    message: /is not a digest/,
    target: 'registry'
  },
  {
    name: 'digest: input disagrees with the image reference',
    inputs: e => ({ image: `${e.host}/app@${e.digest}`, digest: ONES }),
    code: 2,
    message: /does not match the digest in image/,
    target: 'registry'
  },
  {
    name: 'digest: not held by the registry',
    inputs: e => reg(e, { digest: ZERO }),
    code: 1,
    // the line ends with what to do (issue 16), not with the registry's code alone
    message: /manifest .*not found \(404 MANIFEST_UNKNOWN\)\. Check the tag or digest in image, and that the image was pushed to 127\.0\.0\.1:\d+\/app\.$/,
    target: 'registry'
  },
  { name: 'digest: not held by the layout', inputs: e => lay(e, { digest: ZERO }), code: 1, message: /not found/, target: 'layout' },
  // ---- modes, commands, platforms
  {
    name: 'mode: unknown',
    inputs: e => reg(e, { mode: 'inline' }),
    code: 2,
    message: /input mode must be artifact or annotations, got "inline"/,
    target: 'registry'
  },
  {
    name: 'command: unknown',
    inputs: e => reg(e, { command: 'push' }),
    code: 2,
    // the list names get, the read command issue 16 added
    message: /input command must be one of attach, verify, discover, get, got "push"/,
    target: 'registry'
  },
  { name: 'platforms: unknown', inputs: e => reg(e, { platforms: 'all' }), code: 2, message: /input platforms must be index or each/, target: 'registry' },
  {
    name: 'mode annotations with an sbom',
    inputs: e => reg(e, { mode: 'annotations', sbom: 'spdx.json' }),
    code: 2,
    message: /sbom needs mode: artifact/,
    target: 'registry'
  },
  {
    name: 'mode annotations with provenance',
    inputs: e => reg(e, { mode: 'annotations', provenance: 'true' }),
    code: 2,
    message: /provenance needs mode: artifact/,
    target: 'registry'
  },
  // ---- metadata
  {
    name: 'metadata: invalid JSON',
    inputs: e => reg(e, { metadata: '{"team": platform}' }),
    code: 2,
    message: /input metadata: not valid JSON/,
    target: 'registry'
  },
  { name: 'metadata: an array', inputs: e => reg(e, { metadata: '["a"]' }), code: 2, message: /expected a JSON object, got an array/, target: 'registry' },
  { name: 'metadata: a string', inputs: e => reg(e, { metadata: '"platform"' }), code: 2, message: /expected a JSON object, got a string/, target: 'registry' },
  { name: 'metadata: null', inputs: e => reg(e, { metadata: 'null' }), code: 2, message: /expected a JSON object, got null/, target: 'registry' },
  {
    name: 'metadata: a secret by name',
    inputs: e => reg(e, { metadata: '{"registry_password": "hunter2-correct-horse"}' }),
    code: 2,
    message: /refusing to store what looks like a secret at \$\.registry_password/,
    target: 'registry',
    secret: 'hunter2-correct-horse'
  },
  {
    name: 'metadata: a secret by pattern',
    inputs: e => reg(e, { metadata: `{"note": "ghp_${'a1B2c3D4e5'.repeat(3)}abcdef"}` }),
    code: 2,
    message: /refusing to store what looks like a secret at \$\.note/,
    target: 'registry',
    secret: `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`
  },
  {
    name: 'metadata: nested too deep',
    inputs: e => reg(e, { metadata: `${'{"a":'.repeat(40)}1${'}'.repeat(40)}` }),
    code: 2,
    message: /nested deeper than 32 levels/,
    target: 'registry'
  },
  {
    name: 'metadata: over the size cap',
    inputs: e => reg(e, { metadata: JSON.stringify({ notes: 'x'.repeat(300 * 1024) }) }),
    code: 2,
    message: /bytes of metadata is more than the 262144 allowed/,
    target: 'registry'
  },
  {
    name: 'metadata-file: missing',
    inputs: e => reg(e, { 'metadata-file': 'nope.json' }),
    code: 2,
    message: /metadata-file nope.json cannot be read \(ENOENT\)/,
    target: 'registry'
  },
  {
    name: 'metadata-file: a directory',
    inputs: e => reg(e, { 'metadata-file': 'a-directory' }),
    code: 2,
    message: /metadata-file a-directory cannot be read \(EISDIR\)/,
    target: 'registry'
  },
  {
    name: 'metadata-file: invalid JSON',
    inputs: e => reg(e, { 'metadata-file': 'invalid.json' }),
    code: 2,
    message: /metadata-file invalid.json: not valid JSON/,
    target: 'registry'
  },
  { name: 'metadata-file: an array', inputs: e => lay(e, { 'metadata-file': 'array.json' }), code: 2, message: /got an array/, target: 'layout' },
  {
    name: 'metadata-file: over the size cap',
    inputs: e => lay(e, { 'metadata-file': 'big.json' }),
    code: 2,
    message: /more than the 262144 allowed/,
    target: 'layout'
  },
  {
    name: 'metadata-file: a secret',
    inputs: e => lay(e, { 'metadata-file': 'secret.json' }),
    code: 2,
    message: /secret at \$\.deploy\.password/,
    target: 'layout',
    secret: 'hunter2-correct-horse'
  },
  // ---- annotations
  {
    name: 'annotations: key with a space',
    inputs: e => reg(e, { annotations: 'team name=platform' }),
    code: 2,
    message: /key "team name" is not a valid annotation key/,
    target: 'registry'
  },
  {
    name: 'annotations: line without =',
    inputs: e => reg(e, { annotations: 'org.example.team' }),
    code: 2,
    message: /line "org.example.team" is not key=value/,
    target: 'registry'
  },
  {
    name: 'annotations: reserved prefix',
    inputs: e => reg(e, { annotations: 'dev.oci-build-metadata.version=9' }),
    code: 2,
    message: /reserved for the metadata document/,
    target: 'registry'
  },
  {
    name: 'annotations: a GitHub token as a value',
    inputs: e => reg(e, { annotations: `com.acme.note=deployed by ${GITHUB_TOKEN}` }),
    code: 2,
    message: /annotations: refusing to store what looks like a secret at com\.acme\.note \(the value looks like a GitHub token\)/,
    target: 'registry',
    secret: GITHUB_TOKEN
  },
  {
    name: 'annotations: a key naming a secret, annotations mode',
    inputs: e => reg(e, { mode: 'annotations', annotations: 'com.acme.password=hunter2' }),
    code: 2,
    message: /secret at com\.acme\.password \(its name contains "password"\)/,
    target: 'registry',
    secret: 'hunter2'
  },
  {
    name: 'annotations: a key this tool writes, artifact mode',
    inputs: e => reg(e, { annotations: 'org.opencontainers.image.created=yesterday' }),
    code: 2,
    message: CREATED_RESERVED,
    target: 'registry'
  },
  {
    name: 'annotations: a key this tool writes, annotations mode',
    inputs: e => reg(e, { mode: 'annotations', annotations: 'org.opencontainers.image.created=yesterday' }),
    code: 2,
    message: CREATED_RESERVED,
    target: 'registry'
  },
  {
    name: "annotations: a key in BuildKit's namespace",
    inputs: e => reg(e, { annotations: 'vnd.docker.reference.type=attestation-manifest' }),
    code: 2,
    message: /key vnd\.docker\.reference\.type is in the vnd\.docker namespace, which belongs to Docker's BuildKit/,
    target: 'registry'
  },
  {
    name: "annotation-prefix: the OCI's namespace",
    inputs: e => reg(e, { 'annotation-prefix': 'org.opencontainers.image' }),
    code: 2,
    message: /input annotation-prefix org\.opencontainers\.image is in the org\.opencontainers namespace/,
    target: 'registry'
  },
  {
    name: 'annotation-prefix: not reverse-domain',
    inputs: e => reg(e, { 'annotation-prefix': 'Build Info' }),
    code: 2,
    message: /annotation-prefix must be a reverse-domain name/,
    target: 'registry'
  },
  // ---- SBOM files
  { name: 'sbom: not an SBOM', inputs: e => reg(e, { sbom: 'not-an-sbom.json' }), code: 2, message: /is not a recognised SBOM/, target: 'registry' },
  {
    name: 'sbom: bomFormat not CycloneDX',
    inputs: e => reg(e, { sbom: 'cyclonedx-wrong-format.json' }),
    code: 2,
    message: /sbom: .*cyclonedx-wrong-format.json/,
    target: 'registry'
  },
  { name: 'sbom: glob matching nothing', inputs: e => reg(e, { sbom: 'reports/**/*.spdx.json' }), code: 2, message: /matches no file/, target: 'registry' },
  { name: 'sbom: missing file', inputs: e => reg(e, { sbom: 'sbom.cdx.json' }), code: 2, message: /"sbom.cdx.json" does not exist/, target: 'registry' },
  { name: 'sbom: a directory', inputs: e => lay(e, { sbom: 'a-directory' }), code: 2, message: /"a-directory" is not a file/, target: 'layout' },
  {
    name: 'sbom: unreadable (dangling symlink)',
    inputs: e => lay(e, { sbom: 'dangling.spdx.json' }),
    code: 2,
    message: /sbom: "dangling.spdx.json"/,
    target: 'layout'
  },
  // ---- booleans, durations, revision, require
  {
    name: 'provenance: not a boolean',
    inputs: e => reg(e, { provenance: 'maybe' }),
    code: 2,
    message: /input provenance must be true or false, got "maybe"/,
    target: 'registry'
  },
  {
    name: 'summary: not a boolean',
    inputs: e => reg(e, { summary: 'sometimes' }),
    code: 2,
    message: /input summary must be true or false, got "sometimes"/,
    target: 'registry',
    only: 'action'
  },
  {
    name: 'verify-timeout: negative',
    inputs: e => reg(e, { 'verify-timeout': '-1' }),
    code: 2,
    message: /verify-timeout must be a number of seconds from 0 to 600, got "-1"/,
    target: 'registry'
  },
  {
    name: 'verify-timeout: not a number',
    inputs: e => reg(e, { 'verify-timeout': '30s' }),
    code: 2,
    message: /verify-timeout must be a number of seconds/,
    target: 'registry'
  },
  {
    name: 'verify-timeout: over the cap',
    inputs: e => reg(e, { 'verify-timeout': '86400' }),
    code: 2,
    message: /from 0 to 600, got "86400"/,
    target: 'registry'
  },
  {
    name: 'max-age: bad duration',
    inputs: e => reg(e, { command: 'verify', 'max-age': 'three days' }),
    code: 2,
    message: /max-age must be a duration like 90d/,
    target: 'registry'
  },
  {
    name: 'max-age: negative',
    inputs: e => reg(e, { command: 'verify', 'max-age': '-5d' }),
    code: 2,
    // it says the duration must be positive (issue 16), not merely that it is no duration
    message: /max-age must be positive, got "-5d"/,
    target: 'registry'
  },
  {
    name: 'max-age: zero without a unit',
    inputs: e => reg(e, { command: 'verify', 'max-age': '0' }),
    code: 2,
    message: /input max-age must be more than 0, got "0"/,
    target: 'registry'
  },
  {
    name: 'cli: max-age given as its own word, negative',
    inputs: e => reg(e, { command: 'verify' }),
    argv: ['--max-age', '-1d'],
    code: 2,
    message: /input max-age must be positive, got "-1d"/,
    target: 'registry',
    only: 'cli'
  },
  {
    name: 'cli: an option of attach given to verify',
    inputs: e => reg(e, { command: 'verify' }),
    argv: ['--sbom', 'sbom.spdx.json'],
    code: 2,
    message: /option --sbom does not apply to verify: it is for attach only/,
    target: 'registry',
    only: 'cli'
  },
  {
    name: 'revision: not a sha',
    inputs: e => reg(e, { command: 'verify', revision: 'main' }),
    code: 2,
    message: /revision must be a commit sha .*got "main"/,
    target: 'registry'
  },
  {
    name: 'require: unknown',
    inputs: e => reg(e, { command: 'verify', require: 'metadata, signatures' }),
    code: 2,
    message: /require: "signatures" is not one of metadata, sbom, provenance, signature, private, a predicate type URI/,
    target: 'registry'
  },
  // ---- credentials given halfway
  {
    name: 'username without password',
    inputs: e => reg(e, { username: 'ci-bot' }),
    code: 2,
    message: /input password is missing\. Give both/,
    target: 'registry'
  },
  {
    name: 'password without username',
    inputs: e => reg(e, { password: 'pw-only-s3cret-value' }),
    code: 2,
    message: /input username is missing/,
    target: 'registry',
    secret: 'pw-only-s3cret-value'
  },
  {
    name: 'password-stdin with nothing on stdin',
    inputs: e => reg(e, { username: 'ci-bot' }),
    argv: ['--password-stdin'],
    stdin: '',
    code: 2,
    message: /--password-stdin: nothing on standard input/,
    target: 'registry',
    only: 'cli'
  },
  // ---- CLI usage
  { name: 'cli: unknown option', inputs: e => reg(e), argv: ['--tag=v2'], code: 2, message: /unknown option --tag/, target: 'registry', only: 'cli' },
  {
    name: 'cli: option without a value',
    inputs: e => reg(e),
    argv: ['--mode'],
    code: 2,
    message: /option --mode needs a value/,
    target: 'registry',
    only: 'cli'
  },
  {
    name: 'cli: two images',
    inputs: e => reg(e),
    argv: ['oci:./other'],
    code: 2,
    message: /give the image once|unexpected argument/,
    target: 'registry',
    only: 'cli'
  },
  // ---- the registry could not be read (exit 3)
  {
    name: 'registry unreachable (closed loopback port): attach',
    inputs: e => ({ image: `127.0.0.1:${e.closed}/app:v1` }),
    code: 3,
    message: /network error \(ECONNREFUSED\), after 5 tries\. Check that 127\.0\.0\.1:\d+ is reachable from this machine\.$/,
    target: 'none'
  },
  {
    name: 'registry unreachable (closed loopback port): verify',
    inputs: e => ({ image: `127.0.0.1:${e.closed}/app:v1`, command: 'verify' }),
    code: 3,
    message: /ECONNREFUSED/,
    target: 'none'
  },
  // ---- the target's state (exit 1)
  {
    name: 'missing tag on the registry',
    inputs: e => ({ image: `${e.host}/app:no-such-tag` }),
    code: 1,
    message: /not found \(404 [A-Z_]+/,
    target: 'registry'
  },
  {
    name: 'missing tag on the registry: verify',
    inputs: e => ({ image: `${e.host}/app:no-such-tag`, command: 'verify' }),
    code: 1,
    message: /not found \(404 [A-Z_]+/,
    target: 'registry'
  },
  {
    name: 'missing repository on the registry',
    inputs: e => ({ image: `${e.host}/no/such/repo:v1` }),
    code: 1,
    message: /not found \(404 [A-Z_]+/,
    target: 'registry'
  },
  {
    name: 'missing OCI layout directory',
    inputs: e => ({ image: `oci:${e.work}/no-layout-here:v1` }),
    code: 1,
    message: /no OCI layout at .*does not exist/,
    target: 'layout'
  },
  {
    name: 'directory that is not an OCI layout',
    inputs: e => ({ image: `oci:${e.work}/empty-layout:v1` }),
    code: 1,
    message: /empty-layout/,
    target: 'layout'
  },
  {
    name: 'missing tag in the layout',
    inputs: e => ({ image: `oci:${e.layout}:no-such-tag` }),
    code: 1,
    message: /tag "no-such-tag" not found/,
    target: 'layout'
  },
  // ---- the private part (issue 19): refused before anything is written or fetched
  {
    name: 'private: without recipients',
    inputs: e => reg(e, { private: PRIVATE }),
    code: 2,
    message: /input private needs recipients: the age public keys it is encrypted for/,
    target: 'registry',
    secret: PRIVATE_LEAF
  },
  {
    // the shape of an age recipient, but its bech32 checksum is wrong: only age's own parser knows
    name: 'private: a recipient age does not accept',
    inputs: e => reg(e, { private: PRIVATE, recipients: BAD_CHECKSUM_RECIPIENT }),
    code: 2,
    message: /recipients: entry 1 \(age1ql3z7hjy54pw3hyw…\) is not an age recipient \(.+\)\. Give age public keys as age-keygen prints them/,
    target: 'registry',
    secret: PRIVATE_LEAF
  },
  {
    name: 'private: an SSH key as recipient',
    inputs: e => lay(e, { private: PRIVATE, recipients: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN' }),
    code: 2,
    message: /recipients: entry 1 \(ssh-ed25519 AAAAC3Nz…\) is not an age recipient/,
    target: 'layout',
    secret: PRIVATE_LEAF
  },
  {
    name: 'private-file: missing',
    inputs: e => reg(e, { 'private-file': 'no-such-private.json', recipients: RECIPIENT }),
    code: 2,
    message: /private-file no-such-private\.json cannot be read \(ENOENT\)\. Check the path\.$/,
    target: 'registry'
  },
  {
    name: 'private: not a JSON object',
    inputs: e => reg(e, { private: '["INC-4711"]', recipients: RECIPIENT }),
    code: 2,
    message: /input private: expected a JSON object, got an array/,
    target: 'registry',
    secret: 'INC-4711'
  },
  {
    name: 'identity: a file that cannot be read (verify)',
    inputs: e => reg(e, { command: 'verify', identity: 'no-such-key.txt' }),
    code: 2,
    message: /identity file no-such-key\.txt cannot be read \(ENOENT\)/,
    target: 'registry'
  },
  {
    name: 'identity: a key given where its file goes (never echoed)',
    inputs: e => reg(e, { command: 'verify', identity: PASTED_KEY }),
    code: 2,
    message: /^(error: )?input identity holds an age key, not the path of a file\. Put the key in OCI_BUILD_METADATA_IDENTITY/,
    target: 'registry',
    secret: PASTED_KEY.slice(15, 40)
  },
  {
    name: 'identity: a file that holds no age identity (get)',
    inputs: e => lay(e, { command: 'get', 'artifact-type': 'private', identity: 'invalid.json', output: 'out.json' }),
    code: 2,
    message: /identity file invalid\.json: entry 1 is not an age identity/,
    target: 'layout'
  },
  {
    name: 'discover: artifact-type private (a field of the document, read by get)',
    inputs: e => reg(e, { command: 'discover', 'artifact-type': 'private' }),
    code: 2,
    message: /discover: artifact-type private is for get, which reads the private part with an identity/,
    target: 'registry'
  },
  {
    name: 'get private without an identity',
    inputs: e => lay(e, { command: 'get', 'artifact-type': 'private', output: 'out.json' }),
    code: 2,
    message: /get: artifact-type private needs an identity to decrypt it\. Give identity \(an age identity file\) or set OCI_BUILD_METADATA_IDENTITY/,
    target: 'layout'
  },
  // ---- policy (CEL): checked before any request
  {
    name: 'policy: a syntax error',
    inputs: e => reg(e, { command: 'verify', policy: 'metadata.source.ref ==' }),
    code: 2,
    message: /policy: "metadata\.source\.ref ==" is not a CEL expression \(Unexpected token: EOF\)/,
    target: 'registry'
  },
  {
    name: 'policy: a misspelt field of the document',
    inputs: e => reg(e, { command: 'verify', policy: 'metadata.sorce.ref == "refs/heads/main"' }),
    code: 2,
    message: /does not type-check \(No such key: sorce\)/,
    target: 'registry'
  },
  {
    name: 'policy: a string compared with a number',
    inputs: e => reg(e, { command: 'verify', policy: 'metadata.image.size == "big"' }),
    code: 2,
    message: /does not type-check \(no such overload: int == string\)/,
    target: 'registry'
  },
  {
    name: 'policy: private without an identity',
    inputs: e => reg(e, { command: 'verify', policy: 'private.ticket.startsWith("INC-")' }),
    code: 2,
    message: /reads private, but no identity is given to decrypt it/,
    target: 'registry'
  },
  {
    name: 'policy-file: missing',
    inputs: e => reg(e, { command: 'verify', 'policy-file': 'no-such-policy.cel' }),
    code: 2,
    message: /policy-file no-such-policy\.cel cannot be read \(ENOENT\)/,
    target: 'registry'
  }
]
