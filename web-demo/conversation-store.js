// The generation playground's conversation across reloads: the session's
// snapshot (Session.snapshot: the whole sequence's state and the sampling
// stream, a few KB however long the text) and the transcript, in IndexedDB.
const DB = 'edgepiece-demo';
const STORE = 'conversation';
const KEY = 'current';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, use) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const request = use(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The stored { snapshot, transcript: [{ role, text }] }, or undefined. */
export const loadConversation = () => run('readonly', (store) => store.get(KEY));
/** Stores the conversation (replacing the last one). */
export const saveConversation = (conversation) => run('readwrite', (store) => store.put(conversation, KEY));
/** Forgets the stored conversation. */
export const clearConversation = () => run('readwrite', (store) => store.delete(KEY));
