/**
 * Models kept in the browser between visits: the element saves its model after every epoch (weights,
 * optimizer state, the position of its random streams, tokenizer, configuration) with what it needs to
 * resume (the training settings and the history so far). IndexedDB holds them (tests use an in-memory
 * shelf, tests/helpers/memory-shelf.ts). Every failure is an Error with a sentence a user can act on (quota, private
 * browsing, storage switched off), never swallowed.
 */
import type { EpochPoint, SavedModelInfo, TrainSettings } from './trainer-types';

export type { SavedModelInfo } from './trainer-types';

export interface SavedModel extends SavedModelInfo {
  /** The model's zip (SentimentModel.save, training state included). */
  bytes: Uint8Array;
  settings: TrainSettings;
  history: EpochPoint[];
}

export interface ModelShelf {
  list(): Promise<SavedModelInfo[]>;
  get(id: string): Promise<SavedModel>;
  put(model: SavedModel): Promise<void>;
  remove(id: string): Promise<void>;
}

const DB = 'webgpu-lstm';
const STORE = 'models';

export const savedModelInfo = (m: SavedModel): SavedModelInfo => ({
  id: m.id,
  name: m.name,
  savedAt: m.savedAt,
  dataset: m.dataset,
  epoch: m.epoch,
  epochs: m.epochs,
  valAccuracy: m.valAccuracy,
  testAccuracy: m.testAccuracy,
  finished: m.finished,
});

export const newestFirst = (a: SavedModelInfo, b: SavedModelInfo) => b.savedAt.localeCompare(a.savedAt);

/** The reason behind a storage failure, in words (the browser's own message appended). */
function storageError(what: string, e: unknown): Error {
  const err = e as DOMException | null;
  const name = err?.name ?? '';
  const why =
    name === 'QuotaExceededError'
      ? 'the browser has no more storage for this site (free some space, or delete saved models)'
      : name === 'InvalidStateError' || name === 'SecurityError'
        ? 'this browser does not allow storage here (private browsing, or site data switched off)'
        : 'the browser refused';
  return new Error(`could not ${what}: ${why}${err?.message ? ` (${err.message})` : ''}`);
}

function request<T>(r: IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(storageError(what, r.error));
  });
}

/** The browser's IndexedDB (database "webgpu-lstm", store "models"). */
export function indexedDbShelf(factory: IDBFactory | undefined = globalThis.indexedDB): ModelShelf {
  let opened: Promise<IDBDatabase> | null = null;
  const db = () => {
    if (!factory) return Promise.reject(new Error('could not keep models in this browser: it offers no IndexedDB'));
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      let r: IDBOpenDBRequest;
      try {
        r = factory.open(DB, 1);
      } catch (e) {
        reject(storageError('open the browser storage', e));
        return;
      }
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(storageError('open the browser storage', r.error));
      r.onblocked = () => reject(new Error('could not open the browser storage: another tab of this page holds an older version open; close it'));
    }).catch((e: unknown) => {
      opened = null; // the next call tries again
      throw e;
    });
    return opened;
  };
  const tx = async (mode: IDBTransactionMode) => (await db()).transaction(STORE, mode).objectStore(STORE);
  return {
    async list() {
      const all = await request((await tx('readonly')).getAll() as IDBRequest<SavedModel[]>, 'read the saved models');
      return all.map(savedModelInfo).sort(newestFirst);
    },
    async get(id) {
      const m = await request((await tx('readonly')).get(id) as IDBRequest<SavedModel | undefined>, 'read a saved model');
      if (!m) throw new Error(`no saved model ${id} in this browser (deleted in another tab?)`);
      return m;
    },
    async put(model) {
      const store = await tx('readwrite');
      const what = `save "${model.name}" in the browser`;
      const done = new Promise<void>((resolve, reject) => {
        store.transaction.oncomplete = () => resolve();
        store.transaction.onabort = () => reject(storageError(what, store.transaction.error));
      });
      try {
        store.put(model);
      } catch (e) {
        store.transaction.abort();
        throw storageError(what, e);
      }
      await done;
    },
    async remove(id) {
      await request((await tx('readwrite')).delete(id), 'delete a saved model');
    },
  };
}
