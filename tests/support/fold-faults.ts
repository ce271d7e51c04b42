/** A click-fold store that crashes (the consumer dies) at the `failAt`-th call of one of its steps. */
import { dynamoClickFoldStore, type ClickFoldStore } from '../../shared/adapters/click-fold-store.js';

export const crashingFoldStore = (method: keyof ClickFoldStore, failAt: number, onCrash: () => void = () => {}): ClickFoldStore => {
  let calls = 0;
  return new Proxy(dynamoClickFoldStore, {
    get(target, property, receiver) {
      const original = Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown;
      if (property !== method) return original;
      return (...args: unknown[]) => {
        if (++calls === failAt) {
          onCrash();
          return Promise.reject(new Error(`injected crash in the click fold's ${String(method)}`));
        }
        return original.apply(target, args);
      };
    },
  });
};
