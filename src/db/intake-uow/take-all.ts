/** The map's values, leaving it empty: buffered rows handed to the statement that writes them. */
export function takeAll<T>(map: Map<string, T>): T[] {
  const rows = [...map.values()];
  map.clear();
  return rows;
}
