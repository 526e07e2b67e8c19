/** Response bodies in tests are checked by assertions, not by the type system. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();
