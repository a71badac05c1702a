/**
 * "Did you mean ...?" for a name someone mistyped (a flag, a URL query option): the known name it
 * abbreviates or extends, else the nearest by a few typing mistakes.
 */

/**
 * Edits that turn `a` into `b`: insertions, deletions, substitutions, and a swap of two
 * neighbours counting as one ("optimal string alignment"), since `--form` for `--from` is one slip.
 *
 * @example
 * editDistance('form', 'from') // 1
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: two back for the swap, one back, and the one being filled.
  let before = new Array<number>(b.length + 1).fill(0)
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1)
      }
      row.push(best)
    }
    before = previous
    previous = row
  }
  return previous[b.length]!
}

/**
 * The known name meant by `name`, or undefined when nothing is close: one within a single edit
 * (`textfile` -> `text-file`), else the only known name that starts with it (`html` ->
 * `html-file`), else the longest known name it starts with (`attachment` -> `attach`), else one
 * within two edits for names of five letters or more. Case is ignored.
 *
 * @example
 * closest('attachment', ['attach', 'to', 'from']) // 'attach'
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase()
  const near = nearest(wanted, known)
  if (near !== undefined && near.distance <= 1) return near.name
  if (wanted.length >= 3) {
    const longer = known.filter((k) => k.toLowerCase().startsWith(wanted))
    if (longer.length === 1) return longer[0]
    const shorter = known
      .filter((k) => k.length >= 3 && wanted.startsWith(k.toLowerCase()))
      .sort((x, y) => y.length - x.length)
    if (shorter.length > 0) return shorter[0]
  }
  return near !== undefined && near.distance <= 2 && wanted.length >= 5 ? near.name : undefined
}

/** The known name fewest edits away (the first of equals), with its distance. */
function nearest(wanted: string, known: readonly string[]) {
  let best: { name: string; distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(wanted, name.toLowerCase())
    if (best === undefined || distance < best.distance) best = { name, distance }
  }
  return best
}
