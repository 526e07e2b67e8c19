// Results of pure functions worth keeping for the hot path (normalised texts, rule runs, character pairs). When full
// the memory starts afresh: cheaper than an LRU and enough for sets that repeat within minutes.
export interface BoundedMemory<K, V> {
  get(key: K): V | undefined;
  /** Stores and returns the value. */
  set(key: K, value: V): V;
}

export function boundedMemory<K, V>(limit: number): BoundedMemory<K, V> {
  const memory = new Map<K, V>();
  return {
    get: (key) => memory.get(key),
    set(key, value) {
      if (memory.size >= limit) memory.clear();
      memory.set(key, value);
      return value;
    },
  };
}
