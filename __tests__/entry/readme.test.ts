// The README documents every input and every output of the one table (src/input-specs.ts), and for
// each output the commands that set it: a row missing or naming other commands fails here.
import { readFileSync } from 'node:fs'
import { COMMANDS, INPUT_SPECS } from '../../src/input-specs.js'
import { OUTPUT_SPECS } from '../../src/output-specs.js'

const readme = readFileSync('README.md', 'utf8')
const section = (title: string) => readme.slice(readme.indexOf(`## ${title}\n`), readme.indexOf('\n## ', readme.indexOf(`## ${title}\n`) + 3))

test('the Outputs table has a row for each output, naming the commands that set it', () => {
  const rows = section('Outputs')
    .split('\n')
    .filter(l => l.startsWith('| `'))
  expect(rows.map(r => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual(OUTPUT_SPECS.map(o => o.name))
  for (const o of OUTPUT_SPECS) {
    const setBy = rows
      .find(r => r.startsWith(`| \`${o.name}\` |`))!
      .split('|')[2]!
      .trim()
    if (o.commands.length === COMMANDS.length) expect(setBy).toMatch(/^every (command|ending|failure)$/)
    else expect(setBy.split(', ')).toEqual([...o.commands])
  }
})

test('the Inputs table has a row for each input of the action', () => {
  const inputs = section('Inputs')
  // a row names one input, or two that go together (`metadata` / `metadata-file`)
  const named = inputs
    .split('\n')
    .filter(l => l.startsWith('| `'))
    .flatMap(l => (l.split('|')[1] ?? '').split('/').map(n => n.trim().replace(/`/g, '')))
  for (const s of INPUT_SPECS.filter(x => x.only !== 'cli')) expect(named).toContain(s.name)
})
