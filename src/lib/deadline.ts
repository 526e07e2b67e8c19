// The platforms wait 5 s for a passive reply. Answer by the deadline or say nothing and send the reply later.
export type Timed<T> = { done: true; value: T } | { done: false; later: Promise<T> };

export async function within<T>(ms: number, work: Promise<T>): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    const first = await Promise.race([work.then((value) => ({ value })), timeout]);
    return first === 'late' ? { done: false, later: work } : { done: true, value: first.value };
  } finally {
    clearTimeout(timer);
  }
}
