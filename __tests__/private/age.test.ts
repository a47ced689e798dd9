// The private part, sealed and opened through age-encryption: each recipient's identity opens it,
// another does not (as age says: no identity matched), and what is wrong is said without the key.
import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption'
import { describeError, isOciError } from '../../src/errors.js'
import { clearSecrets, redact } from '../../src/log.js'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkIdentities, openPrivate, sealPrivate as seal } from '../../src/private/age.js'
import { identityOpener } from '../../src/private/open.js'
import { buildDocument } from '../../src/metadata/document.js'
import { privatePartSchema } from '../../src/metadata/schema.js'
import { CREATED, githubCi, image } from '../metadata/sample.js'

const PLAINTEXT = JSON.stringify({ customer: 'ACME Corp', ticket: 'INC-4711' })
const keys = async (n: number, hybrid = false) => {
  const out: Array<{ identity: string; recipient: string }> = []
  for (let i = 0; i < n; i++) {
    const identity = hybrid ? await generateHybridIdentity() : await generateIdentity()
    out.push({ identity, recipient: await identityToRecipient(identity) })
  }
  return out
}
const sealPrivate = async (plaintext: string, recipients: string[]) => ({
  version: 1 as const,
  format: 'age' as const,
  ciphertext: await seal(plaintext, recipients)
})
const decrypter = (identity: string) => checkIdentities([{ from: 'identity file key.txt', lines: [identity] }])

afterEach(() => clearSecrets())

test('sealed for two recipients: each identity opens it, a third does not; the part is what the schema says', async () => {
  const [a, b, c] = await keys(3)
  const part = await sealPrivate(PLAINTEXT, [a!.recipient, b!.recipient])
  expect(privatePartSchema.parse(part)).toEqual(part)
  expect(part.ciphertext).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/)
  expect(part.ciphertext).not.toContain('INC-4711')
  for (const k of [a!, b!]) expect(await openPrivate(part, await decrypter(k.identity))).toEqual({ plaintext: JSON.parse(PLAINTEXT), text: PLAINTEXT })
  expect(await openPrivate(part, await decrypter(c!.identity))).toEqual({ noMatch: true, problem: 'no identity given matches a recipient of the private part' })
})

test('opened through the identities given (a file, then OCI_BUILD_METADATA_IDENTITY): the plaintext and the keys are masked before anything can print them', async () => {
  const [a, b] = await keys(2)
  const dir = await mkdtemp(join(tmpdir(), 'obm-identity-'))
  await writeFile(join(dir, 'a.txt'), `# created by age-keygen\n# public key: ${a!.recipient}\n${a!.identity}\n`)
  const doc = buildDocument({ ci: githubCi, image, created: CREATED, private: await sealPrivate(PLAINTEXT, [b!.recipient]) })
  const opener = await identityOpener('a.txt', { OCI_BUILD_METADATA_IDENTITY: b!.identity }, dir)
  expect(opener?.count).toBe(2)
  expect(await opener!.open(doc)).toEqual({ plaintext: JSON.parse(PLAINTEXT), text: PLAINTEXT })
  expect(redact(`log ${PLAINTEXT} ${a!.identity} ${b!.identity}`)).toBe('log *** *** ***')
  // none given: nothing to open with, and no age code loaded for it
  expect(await identityOpener(undefined, {}, dir)).toBeUndefined()
})

test('each seal is new: the same fields give another ciphertext (a reader cannot tell two runs had the same fields)', async () => {
  const [a] = await keys(1)
  const [x, y] = [await sealPrivate(PLAINTEXT, [a!.recipient]), await sealPrivate(PLAINTEXT, [a!.recipient])]
  expect(x.ciphertext).not.toBe(y.ciphertext)
})

test('post-quantum recipients (age1pq1…), which the library supports, seal and open as well', async () => {
  const [p] = await keys(1, true)
  expect(p!.recipient).toMatch(/^age1pq1/)
  const part = await sealPrivate(PLAINTEXT, [p!.recipient])
  expect(await openPrivate(part, await decrypter(p!.identity))).toMatchObject({ text: PLAINTEXT })
})

test('a recipient age does not accept is a usage error naming its entry; an identity that is not one never echoes the key', async () => {
  const [a] = await keys(1)
  const broken = `${a!.recipient.slice(0, -1)}${a!.recipient.endsWith('q') ? 'p' : 'q'}`
  const e1 = await sealPrivate(PLAINTEXT, [a!.recipient, broken]).catch(e => e)
  expect(isOciError(e1, 'INVALID_INPUT')).toBe(true)
  expect(describeError(e1)).toMatch(/^recipients: entry 2 \(age1.{16}…\) is not an age recipient/)
  const notAKey = 'AGE-SECRET-KEY-1NOTAKEYATALL'
  const e2 = await decrypter(notAKey).catch(e => e)
  expect(isOciError(e2, 'INVALID_INPUT')).toBe(true)
  expect(describeError(e2)).toMatch(/^identity file key\.txt: entry 1 is not an age identity\. Give AGE-SECRET-KEY-1/)
  expect(describeError(e2)).not.toContain('NOTAKEY')
})

test('a tampered ciphertext does not open: said as such, not as a missing identity', async () => {
  const [a] = await keys(1)
  const part = await sealPrivate(PLAINTEXT, [a!.recipient])
  const lines = part.ciphertext.split('\n')
  const i = lines.length - 3
  lines[i] = `${lines[i]!.slice(0, 8)}${lines[i]![8] === 'A' ? 'B' : 'A'}${lines[i]!.slice(9)}`
  const opened = await openPrivate({ ...part, ciphertext: lines.join('\n') }, await decrypter(a!.identity))
  expect(opened).toMatchObject({ noMatch: false, problem: expect.stringMatching(/^the private part cannot be decrypted/) })
})
