// Where two versions of a text differ: the lengths of their common prefix
// and suffix, by binary search over substring comparisons (native string
// comparisons: ~100x faster than a loop over characters on a megabyte).
// The page sends the tokenize worker only the changed part of the text.

/** The length of the common prefix of a and b. */
export function commonPrefix(a, b) {
  let lo = 0;  // a[0, lo) === b[0, lo)
  let hi = Math.min(a.length, b.length);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The length of the common suffix of a and b, at most `limit`. */
export function commonSuffix(a, b, limit = Math.min(a.length, b.length)) {
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** { prefix, suffix, insert }: b is a's first `prefix` and last `suffix` units around `insert`. */
export function diffText(a, b) {
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, Math.min(a.length, b.length) - prefix);
  return { prefix, suffix, insert: b.slice(prefix, b.length - suffix) };
}

/** The text `diffText(a, b)` describes, from a. */
export const applyDiff = (a, { prefix, suffix, insert }) => a.slice(0, prefix) + insert + a.slice(a.length - suffix);
