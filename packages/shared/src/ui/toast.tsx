import * as ToastPrimitive from '@radix-ui/react-toast';
import { useSyncExternalStore, type ReactNode } from 'react';
import { X } from './icons';
import { cn } from './cn';

export interface ToastMessage {
  id: number;
  title: ReactNode;
  description?: ReactNode;
  tone: 'success' | 'error' | 'info';
}

let toasts: ToastMessage[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function changed(next: ToastMessage[]) {
  toasts = next;
  for (const listener of listeners) listener();
}

/** Show a short message in the corner (announced politely to screen readers). */
export function toast(title: ReactNode, options: { description?: ReactNode; tone?: ToastMessage['tone'] } = {}): void {
  changed([...toasts.slice(-3), { id: nextId++, title, description: options.description, tone: options.tone ?? 'success' }]);
}

/** Mount once at the root of an app. */
export function Toaster({ closeLabel }: { closeLabel: string }) {
  const list = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
  );
  return (
    <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
      {list.map((message) => (
        <ToastPrimitive.Root
          key={message.id}
          onOpenChange={(open) => !open && changed(toasts.filter((t) => t.id !== message.id))}
          className={cn(
            'relative rounded-md border bg-white p-4 pr-10 shadow-lg',
            message.tone === 'error' ? 'border-danger' : message.tone === 'success' ? 'border-ok' : 'border-slate-200',
          )}
        >
          <ToastPrimitive.Title className="text-sm font-semibold">{message.title}</ToastPrimitive.Title>
          {message.description ? <ToastPrimitive.Description className="mt-1 text-sm text-slate-600">{message.description}</ToastPrimitive.Description> : null}
          <ToastPrimitive.Close aria-label={closeLabel} className="absolute top-3 right-3 rounded p-1 text-slate-500 hover:bg-slate-100">
            <X aria-hidden="true" className="size-4" />
          </ToastPrimitive.Close>
        </ToastPrimitive.Root>
      ))}
      <ToastPrimitive.Viewport className="fixed right-0 bottom-0 z-[60] flex w-full max-w-sm flex-col gap-2 p-4" />
    </ToastPrimitive.Provider>
  );
}
