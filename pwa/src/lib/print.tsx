/**
 * What `window.print()` prints: the children of `<PrintArea>`, rendered into `#print-area` at the
 * end of the body, which the print style sheet alone shows (80 mm wide, `styles.css`). One
 * print area at a time: the receipt or report on screen is what gets printed.
 */
import { createPortal } from 'react-dom';
import type { ReactNode } from 'react';

export function PrintArea({ children }: { children: ReactNode }) {
  return createPortal(
    <div id="print-area" aria-hidden="true">
      {children}
    </div>,
    document.body,
  );
}
