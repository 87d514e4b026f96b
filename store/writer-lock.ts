/**
 * One writer at a time per database: a FIFO lock with a timeout. A second writer waits for the
 * first to commit or roll back, and gets E_STORE_BUSY after `timeoutMs` (a session that keeps
 * a transaction open blocks every other writer — the error says so rather than hanging).
 */
import { limits, LimitError } from '../common/index.js';
import { StoreError } from './errors.js';

interface Waiter {
  readonly grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

export class WriterLock {
  private held = false;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly database: string) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Take the lock now if it is free (the O(1) path of begin). */
  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  acquire(timeoutMs: number): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (this.waiters.length >= limits.walGroupCommitWritersMax) {
      return Promise.reject(
        new LimitError(
          'walGroupCommitWritersMax',
          limits.walGroupCommitWritersMax,
          this.waiters.length + 1,
          `writers waiting for database ${this.database}`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(
            new StoreError(
              'E_STORE_BUSY',
              `database ${this.database}: another transaction held the writer lock for more than ${timeoutMs} ms`,
              { hint: 'commit or roll back the open transaction, or retry' },
            ),
          );
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) {
      this.held = false;
      return;
    }
    if (next.timer !== undefined) clearTimeout(next.timer);
    next.grant();
  }
}
