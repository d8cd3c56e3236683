/**
 * Group commit (and grouped reads): requests arriving while one round trip is in progress wait and go
 * into the next one together. When nothing is in progress a request goes at once, alone, so an idle
 * server adds no delay. A batch that fails is retried one request at a time, so a bad request fails alone.
 */
export class Batcher<Request, Result> {
  private queue: { request: Request; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly writeBatch: (requests: Request[]) => Promise<Result[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.writeBatch(batch.map((b) => b.request));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const b of batch) {
            try {
              b.resolve((await this.writeBatch([b.request]))[0]!);
            } catch (single) {
              b.reject(single);
            }
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
