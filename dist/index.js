// The action (action.yml runs this file); the code is in bundle.js, shared with the CLI.
import { action } from './bundle.js'

await action()
