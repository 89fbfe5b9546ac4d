/**
 * Ringing up a sale: search or scan on the left, the ticket on the right (stacked on a phone),
 * payment, then the receipt — shown only once the sale is on disk (`recordSale` resolves after
 * its transaction committed). Keyboard: type or scan into the search box; F6 customer, F7 ticket
 * discount, F9 charge; a scanner also works while another control has the focus.
 *
 * Timings for the benchmark are taken here, in the page: `pos:scan-to-line` (Enter of a scan →
 * the line on screen) and `pos:tender-to-receipt` (Complete → the stored sale's receipt on screen).
 */
import { Printer } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Card } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useOpenShift, useRuntime, useTill } from '../../lib/hooks';
import { PrintArea } from '../../lib/print';
import { SaleReceipt } from '../../lib/receipt';
import { InvoicePdfButton } from '../../lib/sale-documents';
import { runtime } from '../../lib/runtime';
import { setTicketOpen } from '../../lib/ticket-open';
import type { JournalSale, OrganizationSettings, Product } from '../../offline/db';
import { priceTicket, recordSale, taxModeOf, type TenderInput } from '../../offline/journal';
import { CustomerPicker } from './customer-picker';
import { DiscountDialog } from './discount-dialog';
import { scanned, unknownCode } from './feedback';
import { PaymentDialog } from './payment-dialog';
import { ProductSearch } from './product-search';
import { WedgeDetector } from './scanner';
import { TicketPanel } from './ticket-panel';
import { maxTicketDiscount, type TicketLineState } from './ticket-state';
import { dispatchTicket, useTicket } from './ticket-store';
import './i18n';

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** The stored sale's receipt: on screen, printable, and "new sale" to go on (Enter). */
function ReceiptDialog({ receipt, organization, onClose }: { receipt: { sale: JournalSale } | null; organization: OrganizationSettings; onClose: () => void }) {
  const { t } = useTranslation('sell');
  const { t: common } = useTranslation();
  return (
    <Dialog
      open={receipt !== null}
      onOpenChange={(open) => !open && onClose()}
      title={t('receipt.title', { number: receipt?.sale.invoice_number })}
      description={t('receipt.saved')}
      closeLabel={common('close')}
    >
      {receipt ? (
        <div className="space-y-4">
          <div className="max-h-[50dvh] overflow-y-auto rounded-md border border-slate-200 bg-white p-3">
            <SaleReceipt sale={receipt.sale} organization={organization} pending />
          </div>
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:flex-wrap sm:justify-end">
            <Button variant="secondary" size="lg" onClick={() => window.print()}>
              <Printer aria-hidden="true" />
              {t('receipt.print')}
            </Button>
            <InvoicePdfButton saleId={receipt.sale.id} />
            <Button size="lg" autoFocus onClick={onClose}>
              {t('receipt.next')}
            </Button>
          </div>
          <PrintArea>
            <SaleReceipt sale={receipt.sale} organization={organization} pending />
          </PrintArea>
        </div>
      ) : null}
    </Dialog>
  );
}

export function SellScreen({ onOpenShift }: { onOpenShift: () => void }) {
  const { t } = useTranslation('sell');
  const till = useTill();
  const { device_refused: refused } = useRuntime();
  const shift = useOpenShift();
  const ticket = useTicket();
  const dispatch = dispatchTicket;
  const [paying, setPaying] = useState(false);
  const [choosingCustomer, setChoosingCustomer] = useState(false);
  const [discounting, setDiscounting] = useState<'ticket' | TicketLineState | null>(null);
  const [receipt, setReceipt] = useState<{ sale: JournalSale; startedAt: number } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const searchRef = useRef<HTMLInputElement>(null);
  const scanStarted = useRef<number | null>(null);
  const taxMode = till ? taxModeOf(till.organization) : 'inclusive';
  const priced = useMemo(() => {
    try {
      return ticket.lines.length ? priceTicket(ticket, taxMode) : null;
    } catch {
      return null;
    }
  }, [ticket, taxMode]);
  const dialogOpen = paying || choosingCustomer || discounting !== null || receipt !== null;

  useEffect(() => setTicketOpen(ticket.lines.length > 0 || paying), [ticket.lines.length, paying]);

  useEffect(() => {
    if (scanStarted.current === null) return;
    performance.measure('pos:scan-to-line', { start: scanStarted.current, end: performance.now() });
    scanStarted.current = null;
  }, [ticket]);

  useEffect(() => {
    if (!receipt) return;
    performance.measure('pos:tender-to-receipt', { start: receipt.startedAt, end: performance.now() });
  }, [receipt]);

  useEffect(() => {
    if (!dialogOpen) searchRef.current?.focus();
  }, [dialogOpen, shift?.id]);

  const add = (product: Product, startedAt: number) => {
    scanStarted.current = startedAt;
    dispatch({ type: 'add', product });
    setAnnouncement(t('added', { name: product.name }));
    scanned();
  };

  const unknown = (code: string) => {
    unknownCode();
    toast(t('unknownCode', { code }), { tone: 'error' });
  };

  useEffect(() => {
    const detector = new WedgeDetector();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'F6' || event.key === 'F7' || event.key === 'F9') {
        if (dialogOpen) return;
        event.preventDefault();
        if (event.key === 'F6') setChoosingCustomer(true);
        if (event.key === 'F7' && ticket.lines.length) setDiscounting('ticket');
        if (event.key === 'F9' && ticket.lines.length && priced && shift) setPaying(true);
        return;
      }
      if (dialogOpen || isTextField(event.target)) return;
      const code = detector.key(event.key, event.timeStamp);
      if (code === null) return;
      event.preventDefault();
      const product = runtime.index.byCode(code);
      if (product) add(product, performance.now());
      else unknown(code);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!till) return null;
  if (refused) return <ReceiptDialog receipt={receipt} organization={till.organization} onClose={() => setReceipt(null)} />;
  if (shift === undefined) return null;
  if (!shift) {
    return (
      <Card className="mx-auto max-w-md text-center">
        <p className="mb-3 text-slate-700">{t('needShift')}</p>
        <Button size="lg" onClick={onOpenShift}>
          {t('openShift')}
        </Button>
      </Card>
    );
  }

  const complete = async (tenders: TenderInput[], startedAt: number) => {
    const sale = await recordSale(till, ticket, tenders, shift.id);
    performance.measure('pos:tender-to-stored', { start: startedAt, end: performance.now() });
    dispatch({ type: 'clear' });
    setPaying(false);
    setReceipt({ sale, startedAt });
    // The push can wait for the receipt to be on screen.
    setTimeout(() => runtime.kick('document'), 0);
  };

  const lineMax = (line: TicketLineState) => line.quantity * line.product.price;

  return (
    <div className="grid h-full gap-3 md:grid-cols-[minmax(0,1fr)_minmax(20rem,28rem)] lg:grid-cols-[minmax(0,1fr)_32rem]">
      <h1 className="sr-only">{t('title')}</h1>
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>
      <div className="flex max-h-[calc(100dvh-9rem)] min-h-64 flex-col">
        <ProductSearch ref={searchRef} onAdd={add} onUnknownCode={unknown} />
      </div>
      <TicketPanel
        ticket={ticket}
        priced={priced}
        taxMode={taxMode}
        dispatch={dispatch}
        onCharge={() => setPaying(true)}
        onCustomer={() => setChoosingCustomer(true)}
        onTicketDiscount={() => setDiscounting('ticket')}
        onLineDiscount={(line) => setDiscounting(line)}
      />
      <PaymentDialog open={paying} onOpenChange={setPaying} total={priced?.total ?? 0} onComplete={complete} />
      <CustomerPicker open={choosingCustomer} onOpenChange={setChoosingCustomer} onChoose={(customer) => dispatch({ type: 'customer', customer })} />
      <DiscountDialog
        open={discounting !== null}
        onOpenChange={(open) => !open && setDiscounting(null)}
        title={discounting === 'ticket' || discounting === null ? t('discount.title') : t('discount.lineTitle', { name: discounting.product.name })}
        max={discounting === 'ticket' || discounting === null ? maxTicketDiscount(ticket.lines) : lineMax(discounting)}
        current={discounting === 'ticket' || discounting === null ? ticket.discount : discounting.discount}
        onApply={(amount) => {
          if (discounting === 'ticket') dispatch({ type: 'discount', discount: amount });
          else if (discounting) dispatch({ type: 'lineDiscount', key: discounting.key, discount: amount });
        }}
      />
      <ReceiptDialog receipt={receipt} organization={till.organization} onClose={() => setReceipt(null)} />
    </div>
  );
}
