/** Per-command counters, as INFO commandstats prints them. */
export interface CommandStats {
  calls: number;
  /** Microseconds spent, fractional (batches share their time out; see Dispatcher.beginBatch). */
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Counters behind INFO stats / commandstats / errorstats; CONFIG RESETSTAT zeroes them. */
export class ServerStats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  expiredKeys = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  totalErrorReplies = 0;
  readonly commands = new Map<string, CommandStats>();
  /** Error replies by code word (ERR, WRONGTYPE, ...). */
  readonly errors = new Map<string, number>();
  readonly opsPerSecond = new InstantaneousRate();
  readonly inputBytesPerSecond = new InstantaneousRate();
  readonly outputBytesPerSecond = new InstantaneousRate();
  /** Largest query buffer and output buffer seen recently (INFO clients). */
  recentMaxInputBuffer = 0;
  recentMaxOutputBuffer = 0;
  /** Peak of INFO used_memory as observed by INFO calls and the cron. */
  peakMemory = 0;

  /** Called by the server cron to feed the instantaneous rates. */
  sampleRates(nowMs: number): void {
    this.opsPerSecond.sample(this.totalCommandsProcessed, nowMs);
    this.inputBytesPerSecond.sample(this.netInputBytes, nowMs);
    this.outputBytesPerSecond.sample(this.netOutputBytes, nowMs);
  }

  commandStats(fullName: string): CommandStats {
    let stats = this.commands.get(fullName);
    if (stats === undefined) {
      stats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.commands.set(fullName, stats);
    }
    return stats;
  }

  countError(reply: string): void {
    this.totalErrorReplies++;
    const space = reply.indexOf(' ');
    const code = space === -1 ? reply : reply.slice(0, space);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.expiredKeys = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.totalErrorReplies = 0;
    this.commands.clear();
    this.errors.clear();
    this.recentMaxInputBuffer = 0;
    this.recentMaxOutputBuffer = 0;
    this.opsPerSecond.reset();
    this.inputBytesPerSecond.reset();
    this.outputBytesPerSecond.reset();
  }
}

/**
 * A rate sampled by the server's cron (INFO instantaneous_*): each sample
 * records a counter's growth over the elapsed time; the rate is the mean of
 * the last 16 samples, as Redis computes it.
 */
export class InstantaneousRate {
  private readonly samples: number[] = [];
  private lastValue = 0;
  private lastTime = 0;

  sample(value: number, nowMs: number): void {
    if (this.lastTime !== 0 && nowMs > this.lastTime) {
      this.samples.push(((value - this.lastValue) * 1000) / (nowMs - this.lastTime));
      if (this.samples.length > 16) this.samples.shift();
    }
    this.lastValue = value;
    this.lastTime = nowMs;
  }

  /** Forgets the samples and the baseline (after the counters were zeroed). */
  reset(): void {
    this.samples.length = 0;
    this.lastValue = 0;
    this.lastTime = 0;
  }

  /** Per-second rate. */
  get perSecond(): number {
    if (this.samples.length === 0) return 0;
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / this.samples.length;
  }
}
