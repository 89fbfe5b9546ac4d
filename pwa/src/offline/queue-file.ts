/**
 * The last resort for a till that can't reach the server (a broken network card, a browser about
 * to be wiped): its unsent documents exported to a file, and imported on another till of the same
 * shop, which pushes them as the till that made them.
 *
 * The file carries each document exactly as stored, with the device's id and credential: the
 * server settles a document once per (device, seq) and id, so pushing the same bytes for the
 * same device keeps exactly-once whoever sends them (a document already settled is answered
 * `duplicate`). The credential is why the file must be kept like a key and deleted after import.
 *
 * Invariant: importing never changes or renumbers a document; entries already present (same
 * device and seq) are left as they are, so importing a file twice adds nothing.
 */
import type { DeviceCredential, OutboxEntry, PosDatabase } from './db';
import { isFinal } from './outbox';

export const QUEUE_FILE_FORMAT = 'orbit-pos-queue';
export const QUEUE_FILE_VERSION = 1;

export interface QueueFile {
  format: typeof QUEUE_FILE_FORMAT;
  version: typeof QUEUE_FILE_VERSION;
  organization_id: string;
  exported_at: string;
  queues: { device: DeviceCredential; documents: Pick<OutboxEntry, 'seq' | 'id' | 'kind' | 'document' | 'label' | 'amount' | 'created_at'>[] }[];
}

export class QueueFileError extends Error {
  constructor(readonly reason: 'format' | 'organization') {
    super(reason === 'format' ? 'not a queue file of this POS' : 'the file belongs to another shop');
    this.name = 'QueueFileError';
  }
}

/** Every document not final yet, per device, ready to be written to a file. */
export async function exportQueue(db: PosDatabase, organizationId: string, now = new Date()): Promise<QueueFile> {
  const devices = await db.devices.toArray();
  const queues: QueueFile['queues'] = [];
  for (const device of devices) {
    const entries = (await db.outbox.where('[device_id+seq]').between([device.id, -Infinity], [device.id, Infinity]).toArray()).filter((entry) => !isFinal(entry.state));
    if (!entries.length) continue;
    queues.push({
      device,
      documents: entries.map(({ seq, id, kind, document, label, amount, created_at }) => ({ seq, id, kind, document, label, amount, created_at })),
    });
  }
  return { format: QUEUE_FILE_FORMAT, version: QUEUE_FILE_VERSION, organization_id: organizationId, exported_at: now.toISOString(), queues };
}

function isQueueFile(value: unknown): value is QueueFile {
  const file = value as Partial<QueueFile> | null;
  return (
    !!file &&
    file.format === QUEUE_FILE_FORMAT &&
    file.version === QUEUE_FILE_VERSION &&
    typeof file.organization_id === 'string' &&
    Array.isArray(file.queues) &&
    file.queues.every(
      (queue) =>
        typeof queue?.device?.id === 'string' &&
        typeof queue.device.credential === 'string' &&
        Array.isArray(queue.documents) &&
        queue.documents.every((entry) => Number.isSafeInteger(entry?.seq) && typeof entry.id === 'string' && entry.document?.id === entry.id && entry.document.seq === entry.seq),
    )
  );
}

/** Add a file's documents to this till's outbox; returns how many were new. */
export async function importQueue(db: PosDatabase, text: string, organizationId: string, now = Date.now()): Promise<number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new QueueFileError('format');
  }
  if (!isQueueFile(parsed)) throw new QueueFileError('format');
  if (parsed.organization_id !== organizationId) throw new QueueFileError('organization');
  const own = await db.getMeta('device');
  return db.transaction('rw', [db.devices, db.outbox, db.meta], async () => {
    let added = 0;
    for (const queue of parsed.queues) {
      if (queue.device.id !== own?.id && !(await db.devices.get(queue.device.id))) await db.devices.put({ ...queue.device, own: false });
      for (const document of queue.documents) {
        if (await db.outbox.get([queue.device.id, document.seq])) continue;
        if (await db.outbox.where('id').equals(document.id).count()) continue;
        await db.outbox.add({ ...document, device_id: queue.device.id, state: 'pending', attempts: 0, updated_at: now });
        added += 1;
      }
    }
    return added;
  });
}
