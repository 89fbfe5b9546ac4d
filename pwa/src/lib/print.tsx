/**
 * What `window.print()` prints: the children of `<PrintArea>`, rendered into `#print-area` at the
 * end of the body, which the print style sheet alone shows (80 mm wide, `styles.css`). One
 * print area at a time: the receipt or report on screen is what gets printed. The copy is
 * rendered just after the screen's (a task later), so showing a receipt never waits for it.
 */
import { createPortal } from 'react-dom';
import { useEffect, useState, type ReactNode } from 'react';

export function PrintArea({ children }: { children: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setReady(true), 0);
    return () => clearTimeout(timer);
  }, []);
  if (!ready) return null;
  return createPortal(
    <div id="print-area" aria-hidden="true">
      {children}
    </div>,
    document.body,
  );
}
