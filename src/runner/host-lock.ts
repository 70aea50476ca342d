/**
 * Per-host readers–writer lock: read-only cases share a host, any other case has it to itself.
 * Waiters are served in arrival order, so a writer is not starved by a stream of readers.
 */
export class HostLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Array<{ readOnly: boolean; wake: () => void }> = [];

  /** The lock now, if free for this kind of case and nobody waits: its release (no promise); else undefined. */
  tryAcquire(readOnly: boolean): (() => void) | undefined {
    if (this.queue.length !== 0 || !this.canEnter(readOnly)) return undefined;
    this.enter(readOnly);
    return this.releaser(readOnly);
  }

  async acquire(readOnly: boolean): Promise<() => void> {
    if (this.queue.length === 0 && this.canEnter(readOnly)) this.enter(readOnly);
    else await new Promise<void>((wake) => this.queue.push({ readOnly, wake }));
    return this.releaser(readOnly);
  }

  private releaser(readOnly: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (readOnly) this.readers--;
      else this.writer = false;
      this.drain();
    };
  }

  private canEnter(readOnly: boolean): boolean {
    return readOnly ? !this.writer : !this.writer && this.readers === 0;
  }

  private enter(readOnly: boolean): void {
    if (readOnly) this.readers++;
    else this.writer = true;
  }

  private drain(): void {
    while (this.queue.length && this.canEnter(this.queue[0].readOnly)) {
      const next = this.queue.shift()!;
      this.enter(next.readOnly);
      next.wake();
    }
  }
}
