/** A model shelf in memory: the controller's persistence in Node, where there is no IndexedDB. */
import { newestFirst, savedModelInfo, type ModelShelf, type SavedModel } from '../../src/component/model-shelf';

export function memoryShelf(): ModelShelf {
  const models = new Map<string, SavedModel>();
  return {
    list: async () => [...models.values()].map(savedModelInfo).sort(newestFirst),
    get: async (id) => {
      const m = models.get(id);
      if (!m) throw new Error(`no saved model ${id}`);
      return { ...m, bytes: m.bytes.slice() };
    },
    put: async (m) => void models.set(m.id, { ...m, bytes: m.bytes.slice() }),
    remove: async (id) => void models.delete(id),
  };
}
