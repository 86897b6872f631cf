/**
 * Makes a close function safe to call twice (the second call gets the same promise), and runs
 * every clean-up step even when an earlier one failed, within a hard time limit.
 */
export function closeOnce(steps: Array<[name: string, step: () => Promise<unknown> | unknown]>, options: { timeoutMs: number; onError?: (name: string, err: unknown) => void }): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      const deadline = Date.now() + options.timeoutMs;
      for (const [name, step] of steps) {
        const left = Math.max(1, deadline - Date.now());
        try {
          await withTimeout(Promise.resolve().then(step), left, () => new Error(`timed out after ${options.timeoutMs} ms`));
        } catch (err) {
          options.onError?.(name, err);
        }
      }
    })();
    return closing;
  };
}

/** Rejects with `error` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(error()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
