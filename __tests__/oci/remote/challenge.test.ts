import { mergeScopes, parseChallenges, pickChallenge, repositoryScope, scopeKey } from '../../../src/oci/remote/challenge.js'

describe('parseChallenges', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } }]
    ],
    [
      // quoted commas in the scope, spaces around separators
      'Bearer realm="https://ghcr.io/token", service="ghcr.io", scope="repository:o/a:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:o/a:pull,push' } }]
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    // unquoted values and upper-case names
    ['BEARER Realm=https://r.example/t,Service=r.example', [{ scheme: 'bearer', params: { realm: 'https://r.example/t', service: 'r.example' } }]],
    [
      'Bearer realm="https://r/t",error="insufficient_scope",scope="repository:a:pull,push repository:b:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://r/t', error: 'insufficient_scope', scope: 'repository:a:pull,push repository:b:pull' } }]
    ],
    // escaped quote inside a quoted value
    ['Basic realm="a \\"quoted\\" realm"', [{ scheme: 'basic', params: { realm: 'a "quoted" realm' } }]],
    // two challenges in one header
    [
      'Basic realm="x", Bearer realm="https://r/t",service="s"',
      [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'https://r/t', service: 's' } }
      ]
    ],
    // token68 form carries no parameters
    [
      'Negotiate abc123==, Basic realm="r"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'r' } }
      ]
    ],
    ['', []]
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected)
  })

  test('null and undefined headers give no challenges', () => {
    expect(parseChallenges(null)).toEqual([])
    expect(parseChallenges(undefined)).toEqual([])
  })

  test('pickChallenge prefers Bearer over Basic', () => {
    expect(pickChallenge(parseChallenges('Basic realm="x", Bearer realm="y"'))?.scheme).toBe('bearer')
    expect(pickChallenge(parseChallenges('Basic realm="x"'))?.scheme).toBe('basic')
    expect(pickChallenge(parseChallenges('Negotiate'))).toBeUndefined()
  })
})

describe('scopes', () => {
  test.each([
    ['library/nginx', 'pull', 'repository:library/nginx:pull'],
    ['o/app', 'push', 'repository:o/app:pull,push']
  ] as const)('repositoryScope(%s, %s)', (repo, access, scope) => {
    expect(repositoryScope(repo, access)).toBe(scope)
  })

  test('mergeScopes unites the actions of one resource and keeps others', () => {
    expect(mergeScopes(['repository:a:pull', 'repository:a:push', 'repository:b:pull'])).toEqual(['repository:a:pull,push', 'repository:b:pull'])
    expect(mergeScopes(['repository:a:push,pull repository:c:delete'])).toEqual(['repository:a:pull,push', 'repository:c:delete'])
    expect(mergeScopes(['repository:host:5000/x:pull'])).toEqual(['repository:host:5000/x:pull'])
  })

  test('scopeKey does not depend on order', () => {
    expect(scopeKey(['repository:b:pull', 'repository:a:pull'])).toBe(scopeKey(['repository:a:pull', 'repository:b:pull']))
  })
})
