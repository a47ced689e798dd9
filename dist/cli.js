#!/usr/bin/env node
// The CLI (package.json `bin`); the code is in bundle.js, shared with the action.
import { cli } from './bundle.js'

await cli()
