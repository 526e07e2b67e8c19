// Cryptographically random bytes for every reply envelope (16 for the AES prefix, 4 for the nonce), drawn from one
// buffer filled at a time: a randomBytes call per reply was 4 % of a dialogue turn's CPU. Each byte is handed out
// once; a used-up buffer is replaced, never refilled, so a slice handed out earlier never changes.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

export function randomChunk(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.alloc(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const chunk = pool.subarray(offset, offset + size);
  offset += size;
  return chunk;
}
