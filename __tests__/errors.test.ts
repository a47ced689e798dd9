// The exit code and the one line of every kind of failure: a bug (exit 4, asking for a report) is
// told apart from what is missing (1), bad input (2) and a registry that could not be asked (3).
import { readFile } from 'node:fs/promises'
import { describeError, exitCodeFor, InternalError, isBug, OciError, UsageError } from '../src/errors.js'

const REPORT = 'please report it at https://github.com/<owner>/oci-build-metadata/issues'

/** A TypeError as wrong code raises it: reading a property of undefined. */
function typeError(): TypeError {
  try {
    const listing = undefined as unknown as { descriptors: unknown[] }
    return listing.descriptors as never
  } catch (e) {
    return e as TypeError
  }
}

describe('a bug is exit 4, with a line that asks for a report', () => {
  test.each([
    ['a TypeError from wrong code', typeError(), /\(TypeError: Cannot read properties of undefined \(reading 'descriptors'\)\)/],
    ['a broken invariant', new InternalError('registry stored sha256:aa for sha256:bb'), /\(InternalError: registry stored sha256:aa for sha256:bb\)/],
    ['a string thrown', 'boom', /\(thrown string: boom\)/]
  ])('%s', (_name, error, what) => {
    expect(exitCodeFor(error)).toBe(4)
    expect(isBug(error)).toBe(true)
    const line = describeError(error)
    expect(line).toMatch(/^internal error in oci-build-metadata \d+\.\d+\.\d+ \(/)
    expect(line).toMatch(what)
    expect(line).toContain(`This is a bug, not a problem with the image or the inputs: ${REPORT}`)
    // one line, no stack frame
    expect(line).not.toContain('\n')
    expect(line).not.toMatch(/\bat .*:\d+:\d+/)
  })
})

describe('what is no bug keeps its code', () => {
  test('the machine refusing something (a system error) is exit 1 with its own words', async () => {
    const enoent = await readFile('/nonexistent/oci-build-metadata').catch((e: unknown) => e)
    expect(isBug(enoent)).toBe(false)
    expect(exitCodeFor(enoent)).toBe(1)
    expect(describeError(enoent)).toMatch(/^ENOENT: no such file or directory, open '\/nonexistent\/oci-build-metadata'\.$/)
  })

  test.each([
    [new OciError('NOT_FOUND', 'fetch manifest v1: not found'), 1],
    [new UsageError('input mode must be artifact or annotations, got "x"'), 2],
    [new OciError('INVALID_REFERENCE', 'invalid digest "sha256:abc"'), 2],
    [new OciError('NETWORK', 'connect ECONNREFUSED'), 3]
  ])('%s → %i', (error, code) => {
    expect(isBug(error)).toBe(false)
    expect(exitCodeFor(error)).toBe(code)
  })
})

test('several bad inputs: one line joined by "; ", each problem kept on its own', () => {
  const e = UsageError.of(['input image is required', 'input mode must be artifact or annotations, got "x"'])
  expect(e.message).toBe('input image is required; input mode must be artifact or annotations, got "x"')
  expect(e.problems).toEqual(['input image is required', 'input mode must be artifact or annotations, got "x"'])
  expect(new UsageError('one').problems).toEqual(['one'])
})
