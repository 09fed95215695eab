/**
 * `make` called once per key, its answer kept for good: for things that cost more to make than to
 * keep and come from a small set of keys (a prepared SQL statement per statement text).
 */
export function memoize<K, V>(make: (key: K) => V): (key: K) => V {
  const kept = new Map<K, V>();
  return (key) => {
    let value = kept.get(key);
    if (value === undefined && !kept.has(key)) kept.set(key, (value = make(key)));
    return value as V;
  };
}
