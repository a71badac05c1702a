#!/usr/bin/env node
// Prints vitest's totals (from its JSON report) as one plain closing line for CI logs:
// "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(process.argv[2] ?? '.vitest-report.json', 'utf8'))
const { numPassedTests: passed, numFailedTests: failed, numPendingTests, numTodoTests } = report
console.log(`tests: ${passed} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
