/** Bounded concurrency for the roll-up consumer's steps: items in lanes, lanes side by side. */

/**
 * Runs `task` over items grouped into lanes by `laneOf`: a lane's items in order, up to
 * `concurrency` lanes at once. A task answering false stops its lane.
 */
export const inLanes = async <T>(
  items: readonly T[],
  laneOf: (item: T) => string,
  concurrency: number,
  task: (item: T) => Promise<boolean>,
): Promise<void> => {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = laneOf(item);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  const queue = [...lanes.values()];
  const worker = async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const item of lane) if (!(await task(item))) break;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
};
