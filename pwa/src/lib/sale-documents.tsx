/**
 * A sale's documents at the till: its receipt printed from the screen (the print view, 80 mm,
 * works offline) and its invoice as the server's PDF (`/api/v1/sales/{id}/invoice.pdf`, made on
 * first request and stored). The PDF exists once the sale has reached the server: a sale still in
 * the queue, or a till offline, gets a message saying so instead.
 */
import { FileDown, Printer } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { download } from '@orbit/shared/api/client';
import { ApiError } from '@orbit/shared/api/problem';
import { registerTranslations } from '@orbit/shared/i18n/i18n';
import { Button } from '@orbit/shared/ui/button';
import { toast } from '@orbit/shared/ui/toast';

registerTranslations('documents', {
  en: {
    print: 'Print receipt',
    invoice: 'Invoice (PDF)',
    preparing: 'Preparing PDF…',
    notSynced: 'The invoice is ready once the sale reaches the server',
    offline: 'The invoice needs the network; the printed receipt works offline',
    failed: 'The PDF could not be downloaded',
  },
  es: {
    print: 'Imprimir boleta',
    invoice: 'Factura (PDF)',
    preparing: 'Preparando PDF…',
    notSynced: 'La factura está lista cuando la venta llega al servidor',
    offline: 'La factura necesita la red; la boleta impresa funciona sin conexión',
    failed: 'No se pudo descargar el PDF',
  },
});

export function InvoicePdfButton({ saleId, size = 'lg' }: { saleId: string; size?: 'lg' | 'md' }) {
  const { t } = useTranslation('documents');
  const [busy, setBusy] = useState(false);
  const fetchInvoice = async () => {
    setBusy(true);
    try {
      await download(`/api/v1/sales/${saleId}/invoice.pdf`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) toast(t('notSynced'), { tone: 'error' });
      else if (error instanceof TypeError || !navigator.onLine) toast(t('offline'), { tone: 'error' });
      else toast(t('failed'), { tone: 'error', description: error instanceof Error ? error.message : undefined });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="secondary" size={size} onClick={() => void fetchInvoice()} disabled={busy} aria-busy={busy}>
      <FileDown aria-hidden="true" />
      {busy ? t('preparing') : t('invoice')}
    </Button>
  );
}

/** Print the receipt on screen (the page's print area) and download the invoice's PDF. */
export function SaleDocumentButtons({ saleId, size = 'lg' }: { saleId: string; size?: 'lg' | 'md' }) {
  const { t } = useTranslation('documents');
  return (
    <>
      <Button variant="secondary" size={size} onClick={() => window.print()}>
        <Printer aria-hidden="true" />
        {t('print')}
      </Button>
      <InvoicePdfButton saleId={saleId} size={size} />
    </>
  );
}
