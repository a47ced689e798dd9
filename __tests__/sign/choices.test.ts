/**
 * Which Sigstore instance signs, and how the expected signer is matched: pure functions.
 */
import { UsageError } from '../../src/errors.js'
import { parseSigstoreSetting, signingEndpoints } from '../../src/sign/instance.js'
import { GITHUB_ACTIONS_ISSUER, parseExpectedSigner, signerMatches } from '../../src/sign/signer.js'

describe('the Sigstore instance', () => {
  const auto = parseSigstoreSetting('auto')
  test('auto: a public repository signs with the public-good instance (Fulcio and the public Rekor log)', () => {
    expect(signingEndpoints(auto, { provider: 'github', visibility: 'public' })).toMatchObject({
      instance: 'public-good',
      fulcioURL: 'https://fulcio.sigstore.dev',
      rekorURL: 'https://rekor.sigstore.dev'
    })
  })
  test.each(['private', 'internal', undefined])("auto: a %s repository signs with GitHub's instance, and nothing goes to a public log", visibility => {
    const e = signingEndpoints(auto, { provider: 'github', ...(visibility ? { visibility } : {}) })
    expect(e).toMatchObject({ instance: 'github', fulcioURL: 'https://fulcio.githubapp.com', tsaURL: 'https://timestamp.githubapp.com' })
    expect(e.rekorURL).toBeUndefined()
  })
  test("GitHub Enterprise Cloud with data residency: GitHub's instance of that host", () => {
    expect(signingEndpoints(auto, { provider: 'github', visibility: 'private', serverUrl: 'https://acme.ghe.com' })).toMatchObject({
      fulcioURL: 'https://fulcio.acme.ghe.com',
      tsaURL: 'https://timestamp.acme.ghe.com'
    })
  })
  test('public-good only when asked, for a private repository', () => {
    expect(signingEndpoints(parseSigstoreSetting('public-good'), { provider: 'github', visibility: 'private' }).instance).toBe('public-good')
  })
  test('a private project outside GitHub has no private default: refused, naming the choices', () => {
    expect(() => signingEndpoints(auto, { provider: 'gitlab', visibility: 'private' })).toThrow(UsageError)
    try {
      signingEndpoints(auto, { provider: 'gitlab', visibility: 'private' })
    } catch (e) {
      expect((e as UsageError).hint).toMatch(/set sigstore: public-good .* or name your own instance/)
    }
  })
  test('your own instance, from fulcio=, rekor=, tsa= lines', () => {
    expect(signingEndpoints(parseSigstoreSetting('fulcio=https://fulcio.internal/\ntsa=https://tsa.internal'), { provider: 'gitlab' })).toMatchObject({
      instance: 'custom',
      fulcioURL: 'https://fulcio.internal',
      tsaURL: 'https://tsa.internal'
    })
  })
  test.each([
    ['rekor=https://rekor.internal', /has no fulcio= line/],
    ['fulcio=https://fulcio.internal', /has neither a rekor= nor a tsa= line/],
    ['fulcio=http://fulcio.internal\nrekor=https://r', /must be an https URL/],
    ['sigstore.dev', /is not auto, public-good, github or a fulcio=/]
  ])('bad sigstore input %j', (text, message) => {
    expect(() => parseSigstoreSetting(text)).toThrow(UsageError)
    expect(() => parseSigstoreSetting(text)).toThrow(message)
  })
})

describe('the expected signer', () => {
  const cert = {
    san: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3',
    issuer: GITHUB_ACTIONS_ISSUER,
    sourceRepository: 'https://github.com/acme/widget'
  }
  test.each([
    ['acme/widget/.github/workflows/release.yml@refs/tags/*', true],
    ['https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3', true],
    ['acme/widget/.github/workflows/release.yml@refs/heads/*', false],
    ['acme/widget/.github/workflows/nightly.yml@*', false],
    ['acme/widget', true],
    ['acme/other', false]
  ])('%s matches: %s', (pattern, ok) => {
    expect(signerMatches(parseExpectedSigner(pattern, GITHUB_ACTIONS_ISSUER), cert)).toBe(ok)
  })
  test('a reusable workflow signs for the repository that called it (source repository), not its own', () => {
    const reusable = {
      san: 'https://github.com/acme/shared/.github/workflows/build.yml@refs/heads/main',
      issuer: GITHUB_ACTIONS_ISSUER,
      sourceRepository: 'https://github.com/acme/widget'
    }
    expect(signerMatches(parseExpectedSigner('acme/widget', GITHUB_ACTIONS_ISSUER), reusable)).toBe(true)
    expect(signerMatches(parseExpectedSigner('acme/shared/.github/workflows/build.yml@*', GITHUB_ACTIONS_ISSUER), reusable)).toBe(true)
  })
  test('another issuer is another signer', () => {
    expect(signerMatches(parseExpectedSigner('acme/widget', GITHUB_ACTIONS_ISSUER), { ...cert, issuer: 'https://gitlab.com' })).toBe(false)
  })
  test('a signer that is neither a repository nor a workflow identity is refused', () => {
    expect(() => parseExpectedSigner('release.yml', GITHUB_ACTIONS_ISSUER)).toThrow(/is neither a repository \(owner\/name\) nor a workflow identity$/)
  })
})
