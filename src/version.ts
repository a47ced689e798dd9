/**
 * The release version, as package.json has it (a test keeps the two equal): printed by `--version`,
 * in `--debug` output, in the job summary's footer and in the User-Agent.
 */
export const VERSION = '1.0.0'
