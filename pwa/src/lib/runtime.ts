/**
 * The till's runtime: one per page, started by `main.tsx`. It owns the database connection, the
 * product index, the writer election, and — in the writer tab only — the sync coordinator, the
 * catalog pulls, the heartbeat and the live `/ws` connection. Screens read its state through
 * `useRuntime()` and IndexedDB through live queries; they never start any of this themselves.
 *
 * Invariants:
 * - Only the writer tab pushes, pulls, numbers documents or talks to `/ws` (`offline/writer.ts`);
 *   a mirror tab shows the same IndexedDB and rebuilds its product index when told the catalog
 *   changed (BroadcastChannel `orbit-pos`).
 * - The till session is the browser session of whoever signed the till in (docs/pos.md, "Who
 *   pushes"): documents name the cashier who unlocked with a PIN; the session only carries them.
 *   Without a session the till sells on and its queue waits.
 * - Nothing here blocks selling: every network step may fail, and the till keeps working.
 */
import { api } from '@orbit/shared/api/client';
import { ApiError } from '@orbit/shared/api/problem';
import { RealtimeClient, type ConnectionState } from '@orbit/shared/realtime/client';
import { restoreSession, session, signOut } from '@orbit/shared/session/session';
import type { SessionTokens } from '@orbit/shared/session/coordinator';
import { liveQuery } from 'dexie';
import { applyStockChanges, pullCatalog, type PullProgress } from '../offline/catalog';
import { isSkewWorrying, onSkewMeasured } from '../offline/clock';
import { SyncCoordinator, type KickReason, type SyncStatus } from '../offline/coordinator';
import { PosDatabase, type DeviceCredential, type JournalSale, type OrganizationSettings, type OutboxEntry } from '../offline/db';
import { pendingStockDeltas, settleJournal } from '../offline/journal';
import { purgeSettled, unsyncedCount } from '../offline/outbox';
import { ProductIndex } from '../offline/search';
import { requestPersistence, type Persistence } from '../offline/storage';
import { HttpPushTransport, fetchCatalogPage, isDeviceRefusal, sendHeartbeat, tillFetch } from '../offline/transport';
import { electWriter, type WriterRole } from '../offline/writer';
import { cacheImages, imageUrls, MAX_CACHED_IMAGES } from './image-cache';
import { saleFromServer } from './server-sales';

export type SessionState = 'unknown' | 'none' | SessionTokens;

export interface PullState {
  running: boolean;
  progress: PullProgress | null;
  error: unknown;
  last_at: number | null;
}

export interface RuntimeState {
  phase: 'loading' | 'setup' | 'ready';
  role: WriterRole;
  online: boolean;
  device: DeviceCredential | null;
  organization: OrganizationSettings | null;
  session: SessionState;
  sync: SyncStatus;
  realtime: ConnectionState | 'off';
  persistence: Persistence | null;
  skew_ms: number | null;
  catalog_version: number;
  pull: PullState;
  device_refused: { code: string; message: string } | null;
  update_ready: boolean;
  unsynced: number;
}

const CHANNEL = 'orbit-pos';
const HEARTBEAT_MS = 30_000;
const PULL_EVERY_MS = 120_000;
const KEEP_SETTLED_MS = 3 * 24 * 3600_000;

type ChannelMessage = { type: 'catalog' } | { type: 'device' };

export class PosRuntime {
  readonly db = new PosDatabase();
  readonly index = new ProductIndex();
  state: RuntimeState = {
    phase: 'loading',
    role: 'electing',
    online: globalThis.navigator?.onLine ?? true,
    device: null,
    organization: null,
    session: 'unknown',
    sync: { phase: 'idle' },
    realtime: 'off',
    persistence: null,
    skew_ms: null,
    catalog_version: 0,
    pull: { running: false, progress: null, error: null, last_at: null },
    device_refused: null,
    update_ready: false,
    unsynced: 0,
  };
  private readonly listeners = new Set<() => void>();
  private coordinator: SyncCoordinator | null = null;
  private realtime: RealtimeClient | null = null;
  private channel: BroadcastChannel | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
  private timers: ReturnType<typeof setInterval>[] = [];
  private pulling: Promise<void> | null = null;
  private applyUpdateCallback: (() => Promise<void>) | null = null;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): RuntimeState => this.state;

  private set(patch: Partial<RuntimeState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  async start(): Promise<void> {
    await this.db.open();
    const [device, organization, refused, clock] = await Promise.all([
      this.db.getMeta('device'),
      this.db.getMeta('organization'),
      this.db.getMeta('device_refused'),
      this.db.getMeta('clock'),
    ]);
    this.set({
      device: device ?? null,
      organization: organization ?? null,
      device_refused: refused ? { code: refused.code, message: refused.message } : null,
      skew_ms: clock?.skew_ms ?? null,
      phase: device && organization ? 'ready' : 'setup',
    });
    await this.rebuildIndex();
    this.watch();
    electWriter((role) => {
      this.set({ role });
      if (role === 'writer') void this.becomeWriter();
    });
    void this.restore();
  }

  private watch(): void {
    globalThis.addEventListener?.('online', () => {
      this.set({ online: true });
      this.kick('online');
      void this.pull();
    });
    globalThis.addEventListener?.('offline', () => this.set({ online: false }));
    globalThis.document?.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.kick('visible');
    });
    this.channel?.addEventListener('message', (event: MessageEvent<ChannelMessage>) => {
      if (event.data.type === 'catalog') void this.rebuildIndex();
      if (event.data.type === 'device') void this.reloadDevice();
    });
    onSkewMeasured((skew) => {
      if (skew !== this.state.skew_ms) {
        this.set({ skew_ms: skew });
        void this.db.setMeta('clock', { skew_ms: skew, measured_at: Date.now() });
      }
    });
    session.subscribe((tokens) => {
      this.set({ session: tokens ?? 'none' });
      if (tokens) {
        void this.db.setMeta('till_user', { id: tokens.user.id, full_name: tokens.user.full_name, role: tokens.user.role });
        this.kick('session');
        this.connectRealtime();
      }
    });
    liveQuery(() => unsyncedCount(this.db)).subscribe({
      next: (count) => {
        if (count === this.state.unsynced) return;
        this.set({ unsynced: count });
        this.realtime?.reportQueue(count);
      },
    });
  }

  private async restore(): Promise<void> {
    try {
      const tokens = await restoreSession();
      this.set({ session: tokens ?? 'none' });
    } catch {
      this.set({ session: 'unknown' });
    }
  }

  /** Whether the till has a session to push with, refreshing an expired token first. */
  hasSession = async (): Promise<boolean> => {
    if (session.isFresh()) return true;
    return (await session.refresh()) !== null;
  };

  private async becomeWriter(): Promise<void> {
    this.set({ persistence: this.state.device ? await requestPersistence() : null });
    this.coordinator = new SyncCoordinator({
      db: this.db,
      transport: new HttpPushTransport(this.hasSession),
      onSettled: (entries) => this.settled(entries),
    });
    this.coordinator.subscribe((sync) => {
      this.set({ sync });
      if (sync.phase === 'device_refused') void this.loadRefusal();
    });
    if (this.state.device) await this.coordinator.start();
    this.timers.push(setInterval(() => void this.heartbeat(), HEARTBEAT_MS));
    this.timers.push(setInterval(() => void this.pull(), PULL_EVERY_MS));
    void this.pull().then(() => this.heartbeat());
    this.connectRealtime();
  }

  get isWriter(): boolean {
    return this.state.role === 'writer';
  }

  kick(reason: KickReason): void {
    void this.coordinator?.kick(reason);
  }

  private async settled(entries: OutboxEntry[]): Promise<void> {
    await settleJournal(this.db, entries);
    const device = this.state.device;
    const lastSeq = device ? (await this.db.getMeta('server_last_seq'))?.[device.id] : undefined;
    if (device && lastSeq) await purgeSettled(this.db, device.id, lastSeq, { keepMs: KEEP_SETTLED_MS });
    for (const entry of entries) {
      if (entry.kind === 'shift_close' && entry.state === 'acknowledged' && entry.document.kind === 'shift_close') void this.reconcileShift(entry.document.shift_id);
    }
  }

  /** Fetch the server's Z report of a closed shift, to show beside the till's own. */
  async reconcileShift(shiftId: string): Promise<void> {
    const { data } = await api.GET('/api/v1/shifts/{shift_id}/report', { params: { path: { shift_id: shiftId } }, fetch: tillFetch }).catch(() => ({ data: undefined }));
    if (data) await this.db.shifts.update(shiftId, { server_report: data });
  }

  /** Pull what changed (a cold pull right after set-up). One at a time; failures are only shown. */
  pull(accessToken?: string): Promise<void> {
    const device = this.state.device;
    if (!device || (!this.isWriter && !accessToken) || this.state.device_refused) return Promise.resolve();
    if (this.pulling) return this.pulling;
    this.pulling = (async () => {
      this.set({ pull: { ...this.state.pull, running: true, error: null, progress: null } });
      try {
        if (!accessToken && !(await this.hasSession())) throw new ApiError({ status: 401, code: 'session_missing' });
        let removed = false;
        const images: string[] = [];
        await pullCatalog(this.db, device, (cursor) => fetchCatalogPage(device, cursor, { accessToken }), {
          onProgress: (progress) => this.set({ pull: { ...this.state.pull, progress } }),
          onPage: (page) => {
            this.index.upsert(page.products);
            images.push(...imageUrls(page.products));
            const gone = page.tombstones.filter((t) => t.entity === 'products').map((t) => t.id);
            if (gone.length) {
              this.index.remove(gone);
              removed = true;
            }
            if (page.products.length || removed) this.set({ catalog_version: this.state.catalog_version + 1 });
          },
        });
        const organization = (await this.db.getMeta('organization')) ?? null;
        this.set({ organization, pull: { running: false, progress: this.state.pull.progress, error: null, last_at: Date.now() }, phase: 'ready' });
        this.channel?.postMessage({ type: 'catalog' } satisfies ChannelMessage);
        cacheImages(images.slice(-MAX_CACHED_IMAGES));
        void this.fetchRecentSales();
      } catch (error) {
        if (error instanceof ApiError && isDeviceRefusal(error.problem)) {
          await this.db.setMeta('device_refused', { code: error.code ?? 'device_refused', message: error.message, at: Date.now() });
          await this.loadRefusal();
        }
        this.set({ pull: { ...this.state.pull, running: false, error } });
      } finally {
        this.pulling = null;
      }
    })();
    return this.pulling;
  }

  private async loadRefusal(): Promise<void> {
    const refused = await this.db.getMeta('device_refused');
    this.set({ device_refused: refused ? { code: refused.code, message: refused.message } : null });
  }

  private async heartbeat(): Promise<void> {
    const device = this.state.device;
    if (!device || !this.isWriter || !this.state.online || this.state.device_refused || !session.current) return;
    try {
      await sendHeartbeat(device, await unsyncedCount(this.db));
    } catch (error) {
      if (error instanceof ApiError && isDeviceRefusal(error.problem)) {
        await this.db.setMeta('device_refused', { code: error.code ?? 'device_refused', message: error.message, at: Date.now() });
        await this.loadRefusal();
      }
    }
  }

  /** The live connection: stock changes of the shop, and the till's presence with its queue. */
  private connectRealtime(): void {
    const device = this.state.device;
    if (this.realtime || !device || !this.isWriter || !session.current) return;
    const client = new RealtimeClient({
      topics: ['stock'],
      registerId: device.register_id,
      token: async (fresh) => (fresh || !session.isFresh() ? (await session.refresh())?.accessToken : session.current?.accessToken) ?? null,
    });
    client.on('state', (realtime) => {
      this.set({ realtime });
      if (realtime === 'live') client.reportQueue(this.state.unsynced);
    });
    client.on('event', (event) => {
      if (event.type !== 'stock.changed') return;
      const changes = ((event.data?.products ?? []) as { product_id: string; stock: number }[]).map(({ product_id, stock }) => ({ product_id, stock }));
      void applyStockChanges(this.db, changes).then(async () => {
        this.index.upsert((await this.db.products.bulkGet(changes.map((c) => c.product_id))).filter((p) => p !== undefined));
        this.set({ catalog_version: this.state.catalog_version + 1 });
      });
    });
    client.on('reload', () => void this.pull());
    client.on('signedOut', () => {
      this.realtime = null;
      this.set({ realtime: 'off' });
    });
    this.realtime = client.start();
  }

  /** The register's latest sales from the server, kept so that they can be refunded offline. */
  async fetchRecentSales(limit = 25): Promise<void> {
    const device = this.state.device;
    if (!device || !session.current) return;
    const { data } = await api.GET('/api/v1/sales', { params: { query: { register_id: device.register_id, limit } }, fetch: tillFetch }).catch(() => ({ data: undefined }));
    for (const summary of data?.items ?? []) {
      if (await this.db.sales.get(summary.id)) continue;
      const sale = await this.fetchSale(summary.id);
      if (sale) await this.db.sales.put(sale);
    }
  }

  /** One sale from the server, as the till's journal keeps it (null when unknown or offline). */
  async fetchSale(saleId: string): Promise<JournalSale | null> {
    const { data } = await api.GET('/api/v1/sales/{sale_id}', { params: { path: { sale_id: saleId } }, fetch: tillFetch }).catch(() => ({ data: undefined }));
    if (!data) return null;
    const cashier = await this.db.cashiers.get(data.cashier_id);
    const customer = data.customer_id ? await this.db.customers.get(data.customer_id) : undefined;
    return saleFromServer(data, {
      products: this.index,
      cashierName: cashier?.full_name ?? '',
      customerName: customer?.name ?? null,
      registerCode: this.state.device?.register_code ?? '',
    });
  }

  /** Look a sale up by invoice number: the till's journal first, then the server when online. */
  async findSale(invoiceNumber: string): Promise<JournalSale | null> {
    const wanted = invoiceNumber.trim().toUpperCase();
    const local = (await this.db.sales.where('invoice_number').equals(wanted).first()) ?? (await this.db.sales.filter((sale) => sale.server_invoice_number === wanted).first());
    if (local) return local;
    if (!this.state.online || !session.current) return null;
    const { data } = await api.GET('/api/v1/sales', { params: { query: { invoice_number: wanted, limit: 1 } }, fetch: tillFetch }).catch(() => ({ data: undefined }));
    const found = data?.items[0];
    if (!found) return null;
    const sale = await this.fetchSale(found.id);
    if (sale) await this.db.sales.put(sale);
    return sale;
  }

  private async rebuildIndex(): Promise<void> {
    this.index.replaceAll(await this.db.products.toArray());
    this.set({ catalog_version: this.state.catalog_version + 1 });
  }

  private async reloadDevice(): Promise<void> {
    const device = (await this.db.getMeta('device')) ?? null;
    const organization = (await this.db.getMeta('organization')) ?? null;
    this.set({ device, organization, phase: device && organization ? 'ready' : 'setup' });
    await this.loadRefusal();
    await this.rebuildIndex();
  }

  /** A device was just installed (`offline/device.ts`): pull with the set-up token, start syncing. */
  async deviceInstalled(device: DeviceCredential, accessToken?: string): Promise<void> {
    this.coordinator?.forgive(device.id);
    this.set({ device, device_refused: null, phase: 'setup', persistence: await requestPersistence() });
    this.channel?.postMessage({ type: 'device' } satisfies ChannelMessage);
    if (this.coordinator && this.isWriter) await this.coordinator.start();
    if (accessToken || session.current) await this.pull(accessToken);
    this.connectRealtime();
  }

  /**
   * Forget this till's device to set it up again (after a revocation). Its unsent documents stay,
   * under that device, so they can still be exported.
   */
  async forgetDevice(): Promise<void> {
    await this.db.transaction('rw', [this.db.devices, this.db.meta], async () => {
      const own = await this.db.devices.filter((row) => row.own).toArray();
      await this.db.devices.bulkPut(own.map((row) => ({ ...row, own: false })));
      await this.db.deleteMeta('device');
      await this.db.deleteMeta('device_refused');
    });
    this.set({ device: null, device_refused: null, phase: 'setup' });
    this.channel?.postMessage({ type: 'device' } satisfies ChannelMessage);
  }

  /** Stock as the till sees it: the server's, moved by what it has not pushed yet. */
  async pendingDeltas(): Promise<Map<string, number>> {
    const unsent = await this.db.outbox.where('state').anyOf(['pending', 'syncing', 'retrying']).toArray();
    return pendingStockDeltas(this.db, unsent);
  }

  /** End the till session; refused (false) while anything is unsynced. */
  async signOutTill(): Promise<boolean> {
    if ((await unsyncedCount(this.db)) > 0) return false;
    this.realtime?.stop();
    this.realtime = null;
    await signOut().catch(() => undefined);
    await this.db.deleteMeta('till_user');
    return true;
  }

  clockWrong(): boolean {
    return isSkewWorrying(this.state.skew_ms);
  }

  setUpdater(apply: () => Promise<void>): void {
    this.applyUpdateCallback = apply;
    this.set({ update_ready: true });
  }

  async applyUpdate(): Promise<void> {
    await this.applyUpdateCallback?.();
  }
}

export const runtime = new PosRuntime();
