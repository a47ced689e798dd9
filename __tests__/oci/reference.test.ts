import { resolve } from 'node:path'
import { UsageError } from '../../src/errors.js'
import { formatReference, isLoopbackHost, parseReference, type ImageRef } from '../../src/oci/reference.js'

const D = `sha256:${'a'.repeat(64)}`
const D512 = `sha512:${'b'.repeat(128)}`

describe('parseReference: registry references', () => {
  const cases: Array<[string, { [K in keyof ImageRef]?: ImageRef[K] | undefined }]> = [
    ['nginx', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/nginx', name: 'docker.io/library/nginx', tag: 'latest' }],
    ['nginx:1.25-alpine', { registry: 'docker.io', repository: 'library/nginx', tag: '1.25-alpine' }],
    ['kimai/kimai2:apache', { registry: 'docker.io', repository: 'kimai/kimai2', name: 'docker.io/kimai/kimai2', tag: 'apache' }],
    ['docker.io/nginx', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/nginx' }],
    ['index.docker.io/x', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/x', name: 'docker.io/library/x', tag: 'latest' }],
    ['index.docker.io/o/x:t', { registry: 'docker.io', repository: 'o/x', tag: 't' }],
    ['ghcr.io/o/r', { registry: 'ghcr.io', endpoint: 'ghcr.io', repository: 'o/r', name: 'ghcr.io/o/r', tag: 'latest' }],
    ['ghcr.io/r', { registry: 'ghcr.io', repository: 'r', name: 'ghcr.io/r' }],
    [
      `localhost:5000/a/b:t@${D}`,
      { registry: 'localhost:5000', endpoint: 'localhost:5000', repository: 'a/b', name: 'localhost:5000/a/b', tag: 't', digest: D }
    ],
    ['localhost/app', { registry: 'localhost', repository: 'app', name: 'localhost/app', tag: 'latest' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: 'latest' }],
    ['myreg:5000/app', { registry: 'myreg:5000', repository: 'app' }],
    ['127.0.0.1:5000/a/b/c', { registry: '127.0.0.1:5000', repository: 'a/b/c' }],
    ['[::1]:5000/app:v1', { registry: '[::1]:5000', repository: 'app', tag: 'v1' }],
    [`ghcr.io/o/r@${D}`, { registry: 'ghcr.io', repository: 'o/r', digest: D, tag: undefined }],
    [`ghcr.io/o/r@${D512}`, { digest: D512 }],
    ['a.b/c__d/e-f.g_h:T_1.x', { registry: 'a.b', repository: 'c__d/e-f.g_h', tag: 'T_1.x' }],
    ['reg.example.com/a---b', { repository: 'a---b' }],
    [`docker://nginx:1`, { registry: 'docker.io', repository: 'library/nginx', tag: '1' }]
  ]
  test.each(cases)('%s', (input, want) => {
    const ref = parseReference(input)
    expect(ref.kind).toBe('registry')
    expect(ref.original).toBe(input)
    for (const [k, v] of Object.entries(want)) expect([k, ref[k as keyof ImageRef]]).toEqual([k, v])
  })

  test('an uppercase registry host is normalized to lowercase (hosts are case-insensitive); original is kept', () => {
    const ref = parseReference('GHCR.IO/o/r:V1')
    expect(ref).toMatchObject({ registry: 'ghcr.io', endpoint: 'ghcr.io', name: 'ghcr.io/o/r', tag: 'V1', original: 'GHCR.IO/o/r:V1' })
    expect(parseReference('Index.Docker.IO/x')).toMatchObject({ registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/x' })
    expect(parseReference('LocalHost:5000/x').registry).toBe('localhost:5000')
  })

  test('surrounding whitespace is ignored but kept in original', () => {
    const ref = parseReference('  nginx:1 \n')
    expect(ref).toMatchObject({ name: 'docker.io/library/nginx', tag: '1', original: '  nginx:1 \n' })
  })

  test('formatReference shows the tag and the digest', () => {
    const ref = parseReference(`ghcr.io/o/r:v1@${D}`)
    expect(formatReference(ref)).toBe(`ghcr.io/o/r:v1@${D}`)
    expect(formatReference(parseReference('nginx'))).toBe('docker.io/library/nginx:latest')
  })
})

describe('parseReference: rejections quote the bad part', () => {
  const cases: Array<[string, string]> = [
    ['Foo/bar', '"Foo"'],
    ['foo/Bar', '"Bar"'],
    ['NGINX', '"NGINX"'],
    ['nginx:-bad', '"-bad"'],
    ['nginx:.bad', '".bad"'],
    ['nginx:', '""'],
    [`nginx:${'t'.repeat(129)}`, `"${'t'.repeat(129)}"`],
    ['nginx:a+b', '"a+b"'],
    ['nginx@sha256:abc', '"sha256:abc"'],
    [`nginx@sha256:${'A'.repeat(64)}`, `"sha256:${'A'.repeat(64)}"`],
    [`nginx@md5:${'a'.repeat(32)}`, `"md5:${'a'.repeat(32)}"`],
    ['nginx@', '""'],
    ['ngi nx', 'it contains whitespace'],
    ['a//b', '""'],
    ['a/b_', '"b_"'],
    ['-a/b', '"-a"'],
    ['a..b/c', '"a..b"'],
    ['ho_st.io/a', '"ho_st.io"'],
    [':tag', '""']
  ]
  test.each(cases)('%s', (input, quoted) => {
    let err: unknown
    try {
      parseReference(input)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(UsageError)
    const msg = (err as Error).message
    expect(msg).toContain(`"${input}"`)
    expect(msg).toContain(quoted)
  })

  test('empty and blank references', () => {
    expect(() => parseReference('')).toThrow(UsageError)
    expect(() => parseReference('   ')).toThrow(/empty/)
  })

  test('names longer than 255 characters are rejected; 255 is accepted', () => {
    const prefix = 'ghcr.io/' // 8 characters
    const ok = prefix + 'a'.repeat(255 - prefix.length)
    expect(parseReference(ok).name).toHaveLength(255)
    expect(() => parseReference(`${ok}a`)).toThrow(/longer than 255/)
    // the limit counts the normalized name (docker.io/library/ is added)
    expect(() => parseReference('a'.repeat(240))).toThrow(/longer than 255/)
  })
})

describe('parseReference: OCI layouts', () => {
  test.each([
    ['oci:./dir:tag', { repository: resolve('./dir'), tag: 'tag', digest: undefined }],
    ['oci:./dir', { repository: resolve('./dir'), tag: 'latest' }],
    ['oci:dir', { repository: resolve('dir'), tag: 'latest' }],
    [`oci:/abs@${D}`, { repository: '/abs', digest: D, tag: undefined }],
    ['oci:/abs/lay-out:v1.2', { repository: '/abs/lay-out', tag: 'v1.2', name: 'oci:/abs/lay-out' }],
    ['oci:/a:b/c', { repository: '/a:b/c', tag: 'latest' }],
    [`oci:/x:1@${D}`, { repository: '/x:1', digest: D }]
  ] as Array<[string, Partial<ImageRef>]>)('%s', (input, want) => {
    const ref = parseReference(input)
    expect(ref).toMatchObject({ kind: 'layout', original: input, registry: '', endpoint: '' })
    expect(ref.name).toBe(`oci:${ref.repository}`)
    for (const [k, v] of Object.entries(want)) expect([k, ref[k as keyof ImageRef]]).toEqual([k, v])
  })

  test.each([
    ['oci:', 'no directory after "oci:"'],
    ['oci:/x:-bad', '"-bad"'],
    ['oci:/x@sha256:123', '"sha256:123"']
  ])('%s is rejected', (input, text) => {
    expect(() => parseReference(input)).toThrow(UsageError)
    expect(() => parseReference(input)).toThrow(text)
  })
})

describe('isLoopbackHost', () => {
  test.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['ghcr.io', false],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
    // the other spellings of ::1, bare or bracketed, and IPv4-mapped 127.x (as Go's IsLoopback)
    ['::1', true],
    ['[0:0:0:0:0:0:0:1]:5000', true],
    ['[::ffff:127.0.0.1]:5000', true],
    ['[::ffff:128.0.0.1]', false],
    ['[::2]', false],
    ['LOCALHOST:5000', true],
    // a name under .localhost: not loopback until resolved (containerd's rule); see proxy.test.ts
    ['registry.localhost:5000', false],
    ['registry.localhost', false]
  ])('%s → %s', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want)
  })
})
