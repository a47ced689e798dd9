/**
 * The action's and the CLI's outputs, as a table: action.yml is generated from it, the README's
 * Outputs table is checked against it, src/report/outputs.ts sets them.
 */
import { COMMANDS, type Command } from './input-specs.js'

const ALL: readonly Command[] = COMMANDS

/** Each output: name, description, and the commands that set it (every ending sets exit-code). */
export interface OutputSpec {
  name: string
  description: string
  commands: readonly Command[]
}

export const OUTPUT_SPECS: OutputSpec[] = [
  {
    name: 'subject-digest',
    commands: ALL,
    description:
      'Digest of the image the command ran on (manifest or index). Annotations mode: the digest before the annotations were written; the image ' +
      'that carries them is image-digest.'
  },
  {
    name: 'artifact-digest',
    commands: ['attach', 'verify', 'get'],
    description:
      'Artifact mode: digest of the metadata artifact manifest (attach, verify). get: the manifest read (a referrer, a BuildKit attestation manifest, ' +
      'or the image itself for metadata in its annotations).'
  },
  { name: 'image-digest', commands: ['attach'], description: 'Annotations mode: the new digest of the image, which carries the metadata (it changes).' },
  {
    name: 'metadata-digest',
    commands: ['attach', 'verify', 'get'],
    description:
      'The manifest that carries the metadata document: the metadata artifact (artifact mode), or the image itself (annotations mode: image-digest ' +
      'after attach, subject-digest after verify).'
  },
  { name: 'metadata', commands: ['attach', 'verify', 'get'], description: 'The metadata document (JSON); verify: the newest that passed the gate.' },
  { name: 'annotations', commands: ['attach', 'verify'], description: 'The annotations that carry the document (JSON object).' },
  { name: 'referrers', commands: ['attach', 'verify', 'discover'], description: 'JSON list of the referrers of the image that were seen.' },
  { name: 'content-digest', commands: ['get'], description: 'get: the digest of what was written to output, checked against the registry.' },
  { name: 'verified', commands: ['attach', 'verify'], description: 'true when verification (or the gate) passed, else false.' },
  {
    name: 'missing',
    commands: ['attach', 'verify'],
    description:
      'JSON list of requirements that verify (or the read-back of attach) found missing; empty when nothing could be looked at (exit-code 2, 3 or 4).'
  },
  {
    name: 'exit-code',
    commands: ALL,
    description:
      'The exit code: 0 ok, 1 the gate or verification found something missing or wrong (or nothing of that kind is attached), 2 bad usage or input, ' +
      '3 the registry could not be read or written (network, TLS, proxy, refused credentials, throttled, unavailable, not a registry), ' +
      '4 a bug in oci-build-metadata (the error line asks for a bug report).'
  },
  { name: 'error', commands: ALL, description: 'When the step failed without a verdict (exit-code 2, 3 or 4, or 1 for a missing image): the one error line.' }
]

/** An output's description in action.yml, with the commands that set it. */
export function outputDescription(spec: OutputSpec): string {
  return spec.commands.length < COMMANDS.length ? `${spec.description} Set by: ${spec.commands.join(', ')}.` : spec.description
}
