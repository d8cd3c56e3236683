/**
 * The loop the timer scheduler and the outbox worker share: poll now, then every interval — at once again while
 * a poll comes back full, so a backlog is worked off however large — until stopped. Nothing is kept between
 * polls; the table is the state.
 */
export interface PollLoop {
  start(intervalMs: number): void;
  /** Stops polling; resolves once the poll in flight, if any, has finished. */
  stop(): Promise<void>;
}

/** `poll` resolves to whether it came back full; a poll that throws is reported and the loop goes on. */
export function createPollLoop(poll: () => Promise<boolean>, onError: (error: unknown) => void): PollLoop {
  let running = false;
  let timeout: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  function schedule(delayMs: number, intervalMs: number): void {
    timeout = setTimeout(() => {
      timeout = undefined;
      inFlight = poll()
        .catch((error: unknown) => {
          onError(error);
          return false;
        })
        .then((full) => {
          inFlight = undefined;
          if (running) schedule(full ? 0 : intervalMs, intervalMs);
        });
    }, delayMs);
    // The server (or the CLI's own loop) keeps the process alive, not the loop.
    timeout.unref();
  }

  return {
    start(intervalMs) {
      if (running) return;
      running = true;
      if (!inFlight) schedule(0, intervalMs);
    },
    async stop() {
      running = false;
      if (timeout) clearTimeout(timeout);
      timeout = undefined;
      await inFlight;
    },
  };
}

/** An error as one line for a log: its name and message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
