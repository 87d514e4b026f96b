/**
 * xxh3-64 checksums (hash-wasm) for WAL lines and snapshot blocks. hash-wasm hands out its
 * hasher asynchronously (it instantiates WebAssembly); once made, a hasher is synchronous, so a
 * commit can checksum its line inside the writer's critical section without awaiting.
 */
import type { IHasher } from 'hash-wasm';

export class Checksum {
  private constructor(private readonly hasher: IHasher) {}

  /** hash-wasm is imported here, on first use, not when the store module loads. */
  static async create(): Promise<Checksum> {
    const { createXXHash3 } = await import('hash-wasm');
    return new Checksum(await createXXHash3());
  }

  /** xxh3-64 of the concatenation of `parts`, without concatenating them. */
  hexOf(parts: readonly Uint8Array[]): string {
    this.hasher.init();
    for (const part of parts) this.hasher.update(part);
    return this.hasher.digest('hex');
  }

  /** xxh3-64 of `data` as 16 lower-case hex digits. */
  hex(data: Uint8Array | string): string {
    this.hasher.init();
    this.hasher.update(data);
    return this.hasher.digest('hex');
  }
}
