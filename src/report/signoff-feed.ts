import type { CaseResult } from '../model/result.ts';
import type { SignoffPass } from './signoff.ts';

/** Finished cases held back at most, waiting for an earlier case, before the feed gives up. */
const MAX_WAITING = 4096;

/**
 * The sign-off's pass fed as a run's cases finish (`hwqual run`: the case log's `put`), so that applySignoff need
 * not read every case back from the log and parse it (1-1.5 s of CPU at 300,000 cases). The pass takes the cases in
 * plan order: a case that finishes before an earlier one waits here (cases start in plan order, so they finish at
 * most about the run's concurrency out of order). A case that runs long while more than MAX_WAITING later cases end
 * makes the feed give up (nothing is held per case after that): the sign-off then reads the cases back as before.
 * Each case must be put once; a case the pass cannot take makes the feed give up too.
 */
export class SignoffFeed {
  private next = 0;
  private readonly waiting = new Map<number, CaseResult>();
  private gaveUp = false;

  constructor(
    private readonly pass: SignoffPass,
    private readonly count: number,
    private readonly maxWaiting = MAX_WAITING,
  ) {}

  put(index: number, c: CaseResult): void {
    if (this.gaveUp) return;
    if (index !== this.next) {
      this.waiting.set(index, c);
      if (this.waiting.size > this.maxWaiting) this.giveUp();
      return;
    }
    try {
      this.pass.add(c);
      this.next++;
      for (let w = this.waiting.get(this.next); w; w = this.waiting.get(this.next)) {
        this.waiting.delete(this.next);
        this.pass.add(w);
        this.next++;
      }
    } catch {
      this.giveUp(); // the sign-off's own pass meets the same case again, and says what is wrong with it
    }
  }

  private giveUp(): void {
    this.gaveUp = true;
    this.waiting.clear();
  }

  /** The pass, when every case came (in plan order); undefined when the feed gave up or cases are missing. */
  done(): SignoffPass | undefined {
    return !this.gaveUp && this.next === this.count ? this.pass : undefined;
  }
}
