/**
 * One set of checks for everything published (src/metadata/user-annotations.ts through
 * src/inputs.ts): the `annotations` input passes the secret check metadata passes, keys this tool
 * writes are refused with the same line in both modes, and neither a key nor the annotation-prefix
 * may fall in a namespace that belongs to others.
 */
import { parseInputs } from '../../src/inputs.js'
import { RESERVED_NAMESPACES } from '../../src/metadata/namespaces.js'
import { parseUserAnnotations } from '../../src/metadata/user-annotations.js'
import { parseUserMetadata } from '../../src/metadata/user.js'

/** A GitHub personal access token as GitHub issues them: ghp_ and 36 letters and digits. */
const GHP = 'ghp_R8x2Kq7LmP4vT9wZ3nB6cY1dF5gH0jA2sE7u'
const P = 'dev.oci-build-metadata'

function refusal(raw: Parameters<typeof parseInputs>[0]): string {
  try {
    parseInputs(raw)
  } catch (e) {
    return (e as Error).message
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`)
}

describe('secrets in annotations are refused as in metadata', () => {
  test.each(['artifact', 'annotations'])('a GitHub token as a value (%s mode): the key and the reason are named, the token is not', mode => {
    const msg = refusal({ image: 'a/b:1', mode, annotations: `com.acme.note=deployed with ${GHP}` })
    expect(msg).toMatch(/^annotations: refusing to store what looks like a secret at com\.acme\.note \(the value looks like a GitHub token\)/)
    expect(msg).not.toContain(GHP)
    expect(msg).not.toContain(GHP.slice(4, 20))
  })

  test.each(['artifact', 'annotations'])('a key that names a secret (%s mode)', mode => {
    expect(refusal({ image: 'a/b:1', mode, annotations: 'com.acme.password=hunter2' })).toMatch(
      /secret at com\.acme\.password \(its name contains "password"\), as annotations are readable by anyone who can pull the image/
    )
  })

  test('the same value is refused for the same reason in metadata and in annotations', () => {
    let inMetadata = ''
    try {
      parseUserMetadata(JSON.stringify({ note: GHP }), 'input metadata')
    } catch (e) {
      inMetadata = (e as Error).message
    }
    const inAnnotations = refusal({ image: 'a/b:1', annotations: `com.acme.note=${GHP}` })
    const reason = (m: string) => /\(([^)]*)\)/.exec(m)?.[1]
    expect(reason(inMetadata)).toBe('the value looks like a GitHub token')
    expect(reason(inAnnotations)).toBe(reason(inMetadata))
  })

  test('a token pasted as a key, or as a line without =, is not echoed', () => {
    const asKey = parseUserAnnotations(`${GHP}=x`, P).problems.join(' ')
    const asLine = parseUserAnnotations(GHP, P).problems.join(' ')
    expect(asKey).toMatch(/secret at <a key> \(the key looks like a GitHub token\)/)
    expect(asLine).toMatch(/a line that looks like a secret \(not shown\) is not key=value/)
    expect(asKey + asLine).not.toContain(GHP)
  })

  test('harmless values under secret-sounding names, and ordinary build facts, pass', () => {
    const ok = parseUserAnnotations(
      [
        'com.acme.secret-scan=false',
        'org.opencontainers.image.source=https://github.com/acme/app',
        `org.opencontainers.image.revision=${'ab12'.repeat(10)}`,
        'com.acme.team=platform'
      ].join('\n'),
      P
    )
    expect(ok.problems).toEqual([])
    expect(Object.keys(ok.annotations)).toHaveLength(4)
  })
})

describe('keys this tool writes: refused with the same line in both modes', () => {
  test.each([
    [
      'org.opencontainers.image.created=yesterday',
      /^annotations: key org\.opencontainers\.image\.created is reserved for the build time, which this tool records itself/
    ],
    [`${P}.version=9`, /^annotations: key dev\.oci-build-metadata\.version is reserved for the metadata document \(prefix dev\.oci-build-metadata\)/],
    [`${P}.attempt=99`, /reserved for the metadata document/]
  ])('%s', (line, message) => {
    const artifact = refusal({ image: 'a/b:1', mode: 'artifact', annotations: line })
    const annotations = refusal({ image: 'a/b:1', mode: 'annotations', annotations: line })
    expect(artifact).toMatch(message)
    expect(annotations).toBe(artifact)
  })

  test('under another prefix, the default prefix is an ordinary key and the new prefix is reserved', () => {
    expect(parseInputs({ image: 'a/b:1', 'annotation-prefix': 'com.example.build', annotations: `${P}.note=x` }).annotations).toEqual({ [`${P}.note`]: 'x' })
    expect(refusal({ image: 'a/b:1', 'annotation-prefix': 'com.example.build', annotations: 'com.example.build.digest=x' })).toMatch(
      /key com\.example\.build\.digest is reserved for the metadata document \(prefix com\.example\.build\)/
    )
  })
})

describe('namespaces that belong to others', () => {
  test.each([
    ['org.opencontainers.image', 'org.opencontainers'],
    ['org.opencontainers', 'org.opencontainers'],
    ['io.cncf.notary', 'io.cncf'],
    ['dev.sigstore.build', 'dev.sigstore'],
    ['vnd.docker.reference', 'vnd.docker'],
    ['in-toto.io', 'in-toto.io'],
    ['com.docker.build', 'com.docker'],
    ['io.containerd.image', 'io.containerd']
  ])('annotation-prefix %s is refused as %s', (prefix, ns) => {
    expect(refusal({ image: 'a/b:1', 'annotation-prefix': prefix })).toMatch(
      new RegExp(`^input annotation-prefix ${prefix.replace(/\./g, '\\.')} is in the ${ns.replace(/\./g, '\\.')} namespace, which belongs to `)
    )
  })

  test('prefixes that only look alike are accepted', () => {
    for (const prefix of ['org.opencontainersx.build', 'io.cncfx.build', 'com.example.build', 'dev.sigstorex.build'])
      expect(parseInputs({ image: 'a/b:1', 'annotation-prefix': prefix }).annotationPrefix).toBe(prefix)
  })

  test.each([
    'vnd.docker.reference.type=attestation-manifest',
    'in-toto.io/predicate-type=https://slsa.dev/provenance/v1',
    'dev.sigstore.bundle.predicateType=https://slsa.dev/provenance/v1',
    'io.cncf.notary.signingTime=2020-01-01',
    'org.opencontainers.image.ref.name=latest',
    'org.opencontainers.custom=x'
  ])('annotation %s is refused in both modes', line => {
    const artifact = refusal({ image: 'a/b:1', annotations: line })
    expect(artifact).toMatch(/^annotations: key \S+ is in the \S+ namespace, which belongs to /)
    expect(refusal({ image: 'a/b:1', mode: 'annotations', annotations: line })).toBe(artifact)
  })

  test("the image spec's keys for image authors stay the user's to set", () => {
    const i = parseInputs({ image: 'a/b:1', annotations: 'org.opencontainers.image.source=https://github.com/acme/app\norg.opencontainers.image.licenses=MIT' })
    expect(i.annotations).toEqual({ 'org.opencontainers.image.source': 'https://github.com/acme/app', 'org.opencontainers.image.licenses': 'MIT' })
  })

  test('every namespace names who it belongs to and where that is written down', () => {
    for (const ns of RESERVED_NAMESPACES) {
      expect(ns.owner.length).toBeGreaterThan(5)
      expect(ns.source).toMatch(/^https:\/\/github\.com\//)
    }
  })
})
