import { main } from './action.js'

await main()
