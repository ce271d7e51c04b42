/** Runs `task` over `items` with at most `concurrency` in flight, in order of start. */
export const forEachConcurrently = async <T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<unknown>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
