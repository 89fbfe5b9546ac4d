/**
 * A stock document being written (its lines and its note), held by the stock page so a draft
 * survives switching tabs. Adding a product reports whether it was already listed, and asks for
 * the focus on its line, so typing or scanning carries on at the right quantity box.
 */
import { useCallback, useMemo, useReducer, useState } from 'react';
import { linesReducer, type LineProduct, type LinesAction, type StockDocumentKind, type StockLine } from './stock-lines';

export interface StockDocument {
  kind: StockDocumentKind;
  lines: StockLine[];
  dispatch: (action: LinesAction) => void;
  reason: string;
  setReason: (reason: string) => void;
  /** Adds the product (or not, if listed) and returns whether it was already listed. */
  add: (product: LineProduct) => boolean;
  /** The line whose quantity box should take the focus; `nonce` changes on every request. */
  focus: { productId: string; nonce: number } | null;
  clear: () => void;
}

export function useStockDocument(kind: StockDocumentKind): StockDocument {
  const reducer = useMemo(() => linesReducer(kind), [kind]);
  const [lines, dispatch] = useReducer(reducer, []);
  const [reason, setReason] = useState('');
  const [focus, setFocus] = useState<StockDocument['focus']>(null);

  const add = useCallback(
    (product: LineProduct) => {
      const listed = lines.some((line) => line.productId === product.id);
      dispatch({ type: 'add', product });
      setFocus({ productId: product.id, nonce: Date.now() });
      return listed;
    },
    [lines],
  );
  const clear = useCallback(() => {
    dispatch({ type: 'clear' });
    setReason('');
    setFocus(null);
  }, []);

  return { kind, lines, dispatch, reason, setReason, add, focus, clear };
}
