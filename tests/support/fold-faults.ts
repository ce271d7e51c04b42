/** A click-fold store that crashes (the consumer dies) at the `failAt`-th call of one of its steps. */
import { dynamoClickFoldStore, type ClickFoldStore } from '../../shared/adapters/click-fold-store.js';

export const crashingFoldStore = (method: keyof ClickFoldStore, failAt: number, onCrash: () => void = () => {}): ClickFoldStore => {
  let calls = 0;
  const original = dynamoClickFoldStore[method] as (...args: unknown[]) => Promise<unknown>;
  const crashing = (...args: unknown[]) => {
    if (++calls !== failAt) return original.apply(dynamoClickFoldStore, args);
    onCrash();
    return Promise.reject(new Error(`injected crash in the click fold's ${method}`));
  };
  return { ...dynamoClickFoldStore, [method]: crashing };
};
