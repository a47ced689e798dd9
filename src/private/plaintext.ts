/**
 * The private part's inputs, read before anything is written: `private` / `private-file` (a JSON
 * object, encrypted for `recipients`), and the identities that decrypt it (`identity`, a file, or
 * OCI_BUILD_METADATA_IDENTITY). Every value that could reveal the private part or a key is handed to
 * addSecret before its first use, so no log line, output or summary carries it (src/log.ts). No age
 * code here: src/private/age.ts is loaded only when something is sealed or opened.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { addSecret } from '../log.js'
import { canonicalJson } from '../metadata/canonical.js'
import { parseJsonObject } from '../metadata/user.js'

/** The environment variable that may hold identities (the content of an age identity file), e.g. from a CI secret. */
export const IDENTITY_ENV = 'OCI_BUILD_METADATA_IDENTITY'

/** Largest identity file read: an age identity is 74 characters, a post-quantum one a few hundred; a file of keys is small. */
export const MAX_IDENTITY_FILE_BYTES = 64 * 1024

/**
 * The private fields as the exact text that is encrypted: the canonical JSON of `private-file`
 * merged with `private` (the input wins), as user fields merge. Undefined when neither is given.
 */
export async function readPrivatePlaintext(
  inputs: { private?: string | undefined; privateFile?: string | undefined },
  cwd: string
): Promise<string | undefined> {
  if (inputs.private === undefined && inputs.privateFile === undefined) return undefined
  addSecret(inputs.private)
  let merged: Record<string, unknown> = {}
  if (inputs.privateFile) {
    const path = resolve(cwd, inputs.privateFile)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      throw new UsageError(`private-file ${inputs.privateFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'check the path' })
    }
    addSecret(text.trim())
    merged = parseJsonObject(text, `private-file ${inputs.privateFile}`)
  }
  if (inputs.private) merged = { ...merged, ...parseJsonObject(inputs.private, 'input private') }
  if (Object.keys(merged).length === 0)
    throw new UsageError('the private part is empty: private and private-file give no field', {
      hint: 'give a JSON object with at least one field, or leave both out'
    })
  const plaintext = canonicalJson(merged)
  addSecret(plaintext)
  return plaintext
}

/** The identity lines of an age identity file: comments (`#`) and blank lines left out. */
function identityLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
}

export interface IdentitySource {
  /** where they came from, for messages: `identity file key.txt`, `OCI_BUILD_METADATA_IDENTITY` */
  from: string
  lines: string[]
}

/**
 * The identities given: the `identity` file, then OCI_BUILD_METADATA_IDENTITY. Each is masked before
 * anything else happens; an unreadable file is a usage error (exit 2), before any request.
 */
export async function readIdentities(file: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Promise<IdentitySource[]> {
  const out: IdentitySource[] = []
  // a key pasted where a path goes (identity: ${{ secrets.KEY }}): masked at once, never echoed as a file name
  if (file && /AGE-SECRET-KEY-/i.test(file)) {
    addSecret(file)
    for (const l of identityLines(file)) addSecret(l)
    throw new UsageError('input identity holds an age key, not the path of a file', {
      hint: `put the key in ${IDENTITY_ENV} (e.g. from a secret), or in a file and give its path`
    })
  }
  if (file) {
    let text: string
    try {
      const bytes = await readFile(resolve(cwd, file))
      if (bytes.length > MAX_IDENTITY_FILE_BYTES) throw Object.assign(new Error('too large'), { code: `larger than ${MAX_IDENTITY_FILE_BYTES} bytes` })
      text = bytes.toString('utf8')
    } catch (e) {
      throw new UsageError(`identity file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'give the path of an age identity file (age-keygen writes one), or set OCI_BUILD_METADATA_IDENTITY'
      })
    }
    const lines = identityLines(text)
    for (const l of lines) addSecret(l)
    if (!lines.length)
      throw new UsageError(`identity file ${file} holds no identity`, { hint: 'give a file with an AGE-SECRET-KEY-1… line, as age-keygen writes it' })
    out.push({ from: `identity file ${file}`, lines })
  }
  const fromEnv = env[IDENTITY_ENV]
  if (fromEnv?.trim()) {
    const lines = identityLines(fromEnv)
    for (const l of lines) addSecret(l)
    addSecret(fromEnv.trim())
    if (!lines.length) throw new UsageError(`${IDENTITY_ENV} holds no identity`, { hint: 'set it to the content of an age identity file, or unset it' })
    out.push({ from: IDENTITY_ENV, lines })
  }
  return out
}
