/**
 * The CLI's --help: the whole tool, or one command's options only (`attach --help`, `help verify`),
 * from the one input table (src/input-specs.ts).
 */
import { COMMANDS, type Command, INPUT_SPECS, type InputSpec } from './input-specs.js'
import { ISSUES_URL } from './errors.js'
import { DEFAULT_DEADLINE_SECONDS } from './oci/remote/deadline.js'

/** The CLI's own flags, for every command. */
export const CLI_FLAGS: Array<[string, string]> = [
  ['password-stdin', 'read the password from standard input'],
  ['json', 'print the result as one JSON object (discover: the shape of oras discover --format json)'],
  ['verbose', 'log each step to stderr'],
  ['debug', 'log requests too (secrets are masked)'],
  ['help', "this text; with a command, that command's options only"],
  ['version', 'print the version']
]

const WHAT: Record<Command, string> = {
  attach: 'write the metadata (and --sbom, --provenance), then verify it (the default command)',
  verify: 'read only: fail unless --require is met (the release gate)',
  discover: 'print the referrers tree of the image (--format tree, table or json, as oras discover)',
  get: 'print the metadata document, or write an SBOM, provenance or referrer to --output, byte for byte'
}

const USAGE: Record<Command, string> = {
  attach: 'oci-build-metadata [attach] <image> [options]',
  verify: 'oci-build-metadata verify <image> [options]',
  discover: 'oci-build-metadata discover <image> [options]',
  get: 'oci-build-metadata get <image> [--artifact-type metadata|sbom|provenance|<type>] [--platform os/arch] [--output file] [options]'
}

function optionLine(s: InputSpec, tagCommands: boolean): string {
  const flag = `  --${s.name}${s.type === 'boolean' ? '' : ' <value>'}`.padEnd(34)
  const tag = tagCommands && s.commands.length < COMMANDS.length ? ` [${s.commands.join(', ')}]` : ''
  return flag + s.description + (s.default ? ` (default: ${s.default})` : '') + tag
}

const EXIT_CODES = [
  'Exit codes:',
  '  0  ok',
  '  1  verification or the gate found something missing or wrong',
  '  2  bad usage or input (nothing was written)',
  '  3  the registry could not be read or written: network, TLS certificate, proxy, refused',
  '     credentials, throttled or unavailable, not a registry (nothing was found missing: it could not look)',
  `  4  a bug in oci-build-metadata: the error line asks for a report at ${ISSUES_URL}`,
  'get exits 1 when nothing of the kind asked for is attached, and 2 when several are and none is the newest.'
]

export function helpText(command?: Command): string {
  const specs = INPUT_SPECS.filter(s => s.only !== 'action' && !s.word)
  const lines: string[] = []
  if (command) {
    lines.push(`Usage: ${USAGE[command]}`, '', `${command}: ${WHAT[command]}.`, '', `Options of ${command} (the same names as the action inputs):`)
    for (const s of specs.filter(x => x.commands.includes(command))) lines.push(optionLine(s, false))
  } else {
    lines.push(
      'Usage: oci-build-metadata [attach|verify|discover|get] <image> [options]',
      '       oci-build-metadata help [command]',
      '',
      'Attach versioned build metadata (and SBOMs, provenance) to an OCI image, verify it through the',
      'referrers API, gate releases on it, and read it back. Works on registries and on OCI layouts',
      '(oci:<dir>:<tag>). Without a command, attach.',
      '',
      'Commands:',
      ...COMMANDS.map(c => `  ${c.padEnd(10)} ${WHAT[c]}`),
      '',
      'Options (the same names as the action inputs; [commands] they apply to, others: all).',
      'An option given to a command it does not apply to is refused (exit 2), or warned about when harmless:'
    )
    for (const s of specs) lines.push(optionLine(s, true))
  }
  for (const [name, text] of CLI_FLAGS) lines.push(`${`  --${name}`.padEnd(34)}${text}`)
  lines.push('', ...EXIT_CODES)
  if (!command) {
    lines.push(
      '',
      'Environment:',
      '  OCI_BUILD_METADATA_PASSWORD    the password',
      "  DOCKER_CONFIG                  the directory of Docker's config.json (credentials)",
      '  HTTPS_PROXY, HTTP_PROXY        proxy for https:// and http:// registries (either case)',
      '  NO_PROXY                       hosts reached directly: example.com (and its subdomains),',
      '                                 .example.com, host:port, 10.0.0.0/8, or * for all',
      '  NODE_EXTRA_CA_CERTS            a PEM file of extra CA certificates (private registries)',
      '',
      `Retries and waits (Retry-After) stop at each command's deadline: ${DEFAULT_DEADLINE_SECONDS} s, and`,
      'verify-timeout for the read-back after a write.'
    )
  }
  return `${lines.join('\n')}\n`
}
