/**
 * A button that downloads one of a sale's or refund's PDF documents (`/api/v1/sales/{id}/invoice.pdf`,
 * `/api/v1/refunds/{id}/invoice.pdf`, …). The server makes the PDF on the first request and
 * serves the stored file afterwards; a plain link cannot carry the session's token, so the file
 * is fetched and saved under the name the server gives it (the document's number).
 */
import { FileDown } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { download } from '@orbit/shared/api/client';
import { Button } from '@orbit/shared/ui/button';
import { useErrorMessage } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';

export function DocumentButton({ path, label, size }: { path: string; label: string; size?: 'sm' }) {
  const { t } = useTranslation('sales');
  const errorMessage = useErrorMessage();
  const [busy, setBusy] = useState(false);

  const fetchDocument = async () => {
    setBusy(true);
    try {
      await download(path);
    } catch (error) {
      toast(t('documents.failed'), { tone: 'error', description: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Button variant="secondary" size={size} onClick={() => void fetchDocument()} disabled={busy} aria-busy={busy}>
      <FileDown aria-hidden="true" />
      {busy ? t('documents.preparing') : label}
    </Button>
  );
}

/** The sale's invoice (A4) and receipt (80 mm roll). */
export function SaleDocuments({ saleId }: { saleId: string }) {
  const { t } = useTranslation('sales');
  return (
    <div className="flex flex-wrap gap-2 sm:justify-end" role="group" aria-label={t('documents.label')}>
      <DocumentButton path={`/api/v1/sales/${saleId}/invoice.pdf`} label={t('documents.invoice')} />
      <DocumentButton path={`/api/v1/sales/${saleId}/receipt.pdf`} label={t('documents.receipt')} />
    </div>
  );
}
