/**
 * The `annotations` input (`key=value` lines) and the `annotation-prefix`, checked once where inputs
 * become typed values (src/inputs.ts), the same for artifact and annotations mode: keys must be
 * annotation keys, must not be keys this tool writes itself, must not fall in a namespace that
 * belongs to others (src/metadata/namespaces.ts), and nothing may look like a secret
 * (src/metadata/secrets.ts, the check metadata passes too).
 */
import { describeClause } from '../errors.js'
import { Annotation } from '../oci/media-types.js'
import { OCI_AUTHOR_KEYS, reservedNamespaceOf } from './namespaces.js'
import { findSecretsInAnnotations, secretRefusal, secretValueReason } from './secrets.js'

/** Annotation keys: reverse-domain letters, digits, `.`, `_`, `-`, `/`. */
const ANNOTATION_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/
/** Longest key accepted: keys are reverse-domain names, not data. */
export const MAX_ANNOTATION_KEY_LENGTH = 255

export interface UserAnnotations {
  annotations: Record<string, string>
  /** one line each: what is wrong and what to do */
  problems: string[]
}

/**
 * Why `name` (the prefix, or a key of the `annotations` input) is not ours to write, or undefined.
 * The image spec's keys for image authors are the user's to set (as annotations, not as a prefix).
 */
export function foreignNamespaceProblem(what: string, name: string, opts: { authorKeysAllowed: boolean }): string | undefined {
  if (opts.authorKeysAllowed && OCI_AUTHOR_KEYS.has(name)) return undefined
  const ns = reservedNamespaceOf(name)
  if (!ns) return undefined
  return `${what} ${name} is in the ${ns.prefix} namespace, which belongs to ${ns.owner}; consumers would read it as theirs. Use a reverse-domain name of your own, like com.example.build`
}

/**
 * Keys this tool writes on what it publishes: the document's keys under the prefix (and the writer's
 * key and attempt there), and the build time. A user value for one would be dropped or would
 * contradict the tool's, so it is refused in both modes with the same line.
 */
function toolKeyProblem(key: string, prefix: string): string | undefined {
  if (key === prefix || key.startsWith(`${prefix}.`))
    return `annotations: key ${key} is reserved for the metadata document (prefix ${prefix}), which this tool writes. Choose another key`
  if (key === Annotation.Created) {
    return (
      `annotations: key ${key} is reserved for the build time, which this tool records itself (the document's created, from SOURCE_DATE_EPOCH when ` +
      'set). Drop it, or set SOURCE_DATE_EPOCH'
    )
  }
  return undefined
}

/** `key=value` lines; blank lines and `#` comments skipped; values may contain `=`. */
export function parseUserAnnotations(text: string | undefined, prefix: string): UserAnnotations {
  const annotations: Record<string, string> = {}
  const problems: string[] = []
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) {
      // a token pasted without a key is not echoed back
      problems.push(
        `annotations: ${secretValueReason(line) ? 'a line that looks like a secret (not shown)' : `line "${line}"`} is not key=value. Write one key=value per line, e.g. org.example.team=platform`
      )
      continue
    }
    const key = line.slice(0, eq).trim()
    const value = line.slice(eq + 1).trim()
    if (!ANNOTATION_KEY.test(key) || key.length > MAX_ANNOTATION_KEY_LENGTH) {
      problems.push(`annotations: key "${key}" is not a valid annotation key. Use reverse-domain letters, digits, . _ - /`)
      continue
    }
    const refused = toolKeyProblem(key, prefix) ?? foreignNamespaceProblem('annotations: key', key, { authorKeysAllowed: true })
    if (refused) problems.push(refused)
    else annotations[key] = value
  }
  const secrets = secretRefusal(findSecretsInAnnotations(annotations), 'annotations', {
    readable: 'annotations are',
    hint: 'remove these lines, or rename a harmless key'
  })
  if (secrets) problems.push(describeClause(secrets))
  return { annotations, problems }
}
