import { AppError } from '../lib/errors.js';

/** Required callback query parameters, in order; a missing one is refused like a bad signature. */
export function requiredParams<N extends string[]>(
  q: Record<string, unknown>,
  ...names: N
): { [K in keyof N]: string } {
  return names.map((n) => {
    const v = q[n];
    if (typeof v !== 'string' || v === '') throw new AppError('MISSING_PARAMS', `缺少参数 ${n}`);
    return v;
  }) as { [K in keyof N]: string };
}
