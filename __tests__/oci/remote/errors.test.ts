import { codeForStatus, httpError, networkError, parseRegistryErrors } from '../../../src/oci/remote/errors.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const ctx = { op: 'push manifest', subject: 'localhost:5000/app', registry: 'localhost:5000', preposition: 'to' as const }

describe('registry error bodies', () => {
  test('keeps code, message and detail of each entry', () => {
    const body = enc(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }, { code: 'DENIED' }] }))
    expect(parseRegistryErrors(body)).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }, { code: 'DENIED' }])
  })
  test.each([['<html>502</html>'], ['{}'], ['{"errors":"nope"}'], ['{"errors":[{"message":"no code"}]}'], ['']])('not an error body: %j', body => {
    expect(parseRegistryErrors(enc(body))).toEqual([])
  })
})

describe('status → code', () => {
  test.each([
    [401, [], 'UNAUTHORIZED'],
    [403, [], 'DENIED'],
    [404, [], 'NOT_FOUND'],
    [409, [], 'CONFLICT'],
    [413, [], 'SIZE_EXCEEDED'],
    [429, [], 'TOO_MANY_REQUESTS'],
    [408, [], 'TIMEOUT'],
    [500, [], 'SERVER_ERROR'],
    [503, [], 'SERVER_ERROR'],
    [400, ['SIZE_INVALID'], 'SIZE_EXCEEDED'],
    [400, ['DIGEST_INVALID'], 'DIGEST_MISMATCH'],
    [400, ['MANIFEST_BLOB_UNKNOWN'], 'NOT_FOUND'],
    [400, ['MANIFEST_INVALID'], 'UNSUPPORTED'],
    [405, ['UNSUPPORTED'], 'UNSUPPORTED']
  ])('%i %j → %s', (status, codes, code) => {
    expect(codeForStatus(status, codes.map(c => ({ code: c })))).toBe(code)
  })
})

describe('messages', () => {
  test('name the operation, the repository and what to do', () => {
    const e = httpError(ctx, 401)
    expect(e.message).toBe('push manifest to localhost:5000/app: authentication required (401): set username/password or run docker login localhost:5000')
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', status: 401, op: 'push manifest', subject: 'localhost:5000/app' })
  })
  test("carry the registry's first error code", () => {
    const e = httpError(ctx, 404, enc('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}'))
    expect(e.message).toContain('not found (404): NAME_UNKNOWN repository name not known to registry')
    expect(e.hasRegistryCode('NAME_UNKNOWN')).toBe(true)
  })
  test('network and timeout failures', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(networkError(ctx, new TypeError('fetch failed', { cause }), false, 1000)).toMatchObject({ code: 'NETWORK', message: expect.stringContaining('ECONNREFUSED') })
    expect(networkError(ctx, new Error('aborted'), true, 1000)).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('no answer within 1000 ms') })
  })
})
