// Immutable updates of the Map state the pages keep per row (revealed values and the like).

// A copy of `old` with `key` set to `value`, or removed when `value` is undefined.
export function withEntry<K, V>(
  old: ReadonlyMap<K, V>,
  key: K,
  value: V | undefined,
): ReadonlyMap<K, V> {
  const next = new Map(old);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}
