import { parseNextLink, sameOrigin } from '../../../src/oci/remote/link.js'

const req = 'http://127.0.0.1:5000/v2/app/referrers/sha256:abc?artifactType=x'
describe('parseNextLink', () => {
  test.each([
    ['</v2/app/referrers/sha256:abc?n=2&last=b>; rel="next"', 'http://127.0.0.1:5000/v2/app/referrers/sha256:abc?n=2&last=b'],
    ['</v2/app/tags/list?n=1&last=a>; rel=next', 'http://127.0.0.1:5000/v2/app/tags/list?n=1&last=a'],
    ['<http://127.0.0.1:5000/v2/x?page=2>;rel="next"', 'http://127.0.0.1:5000/v2/x?page=2'],
    ['<page2>; rel="next"', 'http://127.0.0.1:5000/v2/app/referrers/page2'],
    ['</first>; rel="first", </v2/p3>; rel="next"', 'http://127.0.0.1:5000/v2/p3'],
    ['</v2/p3>; title="a; b"; rel="prev next"', 'http://127.0.0.1:5000/v2/p3'],
    ['</v2/p3>; REL="Next"', 'http://127.0.0.1:5000/v2/p3'],
    ['</v2/p0>; rel="prev"', undefined],
    ['garbage', undefined],
    ['', undefined]
  ])('%j', (header, next) => {
    expect(parseNextLink(header, req)).toBe(next)
  })

  test('sameOrigin compares scheme, host and port', () => {
    expect(sameOrigin('http://a:1/x', 'http://a:1/y')).toBe(true)
    expect(sameOrigin('http://a:1/x', 'http://a:2/x')).toBe(false)
    expect(sameOrigin('https://a/x', 'http://a/x')).toBe(false)
    expect(sameOrigin('not a url', 'http://a/x')).toBe(false)
  })
})
