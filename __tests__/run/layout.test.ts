// run() on an OCI layout: re-running the same job replaces its earlier referrer instead of piling up.
import { copyFixtureLayout, FIXTURE } from '../../__fixtures__/layout.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import { GH_ENV, runWith } from './helpers.js'

test('a re-run of the same job on a layout leaves one metadata referrer; another job adds its own', async () => {
  const dir = await copyFixtureLayout()
  const image = `oci:${dir}:v1`
  const first = await runWith({ image }, { ...GH_ENV, SOURCE_DATE_EPOCH: '1760000000' })
  const second = await runWith({ image }, { ...GH_ENV, GITHUB_RUN_ATTEMPT: '2', SOURCE_DATE_EPOCH: '1760000100' })
  expect(first.artifactDigest).not.toBe(second.artifactDigest)
  const v = await runWith({ image, command: 'discover' })
  const metadata = v.tree.map(n => n.descriptor).filter(d => d.artifactType === ArtifactType.BuildMetadataV1)
  expect(metadata.map(d => d.digest)).toEqual([second.artifactDigest])
  expect(v.subject.digest).toBe(FIXTURE.v1)

  const otherJob = await runWith({ image }, { ...GH_ENV, GITHUB_JOB: 'another-job' })
  const after = await runWith({ image, command: 'discover' })
  expect(
    after.tree
      .map(n => n.descriptor)
      .filter(d => d.artifactType === ArtifactType.BuildMetadataV1)
      .map(d => d.digest)
      .sort()
  ).toEqual([second.artifactDigest, otherJob.artifactDigest].sort())
})

test('metadata written under another annotation-prefix: the gate names the prefix that is there', async () => {
  const dir = await copyFixtureLayout()
  const image = `oci:${dir}:v1`
  await runWith({ image, 'annotation-prefix': 'com.example.build' }, GH_ENV)
  const v = await runWith({ image, command: 'verify' })
  expect(v.verified).toBe(false)
  expect(v.problems).toEqual([
    expect.stringMatching(
      /it carries no metadata annotations under dev\.oci-build-metadata, but carries metadata under com\.example\.build: give annotation-prefix: com\.example\.build to read it/
    )
  ])
  expect((await runWith({ image, command: 'verify', 'annotation-prefix': 'com.example.build' })).verified).toBe(true)
})
