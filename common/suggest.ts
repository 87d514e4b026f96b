/**
 * "Did you mean …?" suggestions for unknown names. Optimal string alignment distance
 * (Levenshtein with adjacent transpositions), case-insensitive, bounded by a third of the
 * name's length so that unrelated names are not suggested.
 */

export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const distance: number[] = new Array<number>(rows * cols).fill(0);
  for (let row = 0; row < rows; row++) distance[row * cols] = row;
  for (let col = 0; col < cols; col++) distance[col] = col;
  for (let row = 1; row < rows; row++) {
    for (let col = 1; col < cols; col++) {
      const cost = a[row - 1] === b[col - 1] ? 0 : 1;
      let best = Math.min(
        (distance[(row - 1) * cols + col] ?? 0) + 1,
        (distance[row * cols + col - 1] ?? 0) + 1,
        (distance[(row - 1) * cols + col - 1] ?? 0) + cost,
      );
      if (row > 1 && col > 1 && a[row - 1] === b[col - 2] && a[row - 2] === b[col - 1]) {
        best = Math.min(best, (distance[(row - 2) * cols + col - 2] ?? 0) + 1);
      }
      distance[row * cols + col] = best;
    }
  }
  return distance[rows * cols - 1] ?? 0;
}

/** The known name closest to `name`, or undefined when none is close enough. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const maxDistance = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === name) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= maxDistance && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `did you mean \`X\`?` or undefined: the `hint` of an unknown-name error. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const closest = closestName(name, known);
  return closest === undefined ? undefined : `did you mean \`${closest}\`?`;
}
