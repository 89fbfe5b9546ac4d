import * as DropdownPrimitive from '@radix-ui/react-dropdown-menu';
import type { ReactNode } from 'react';

export interface MenuItem {
  label: ReactNode;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/**
 * A dropdown menu of actions: arrow keys, typeahead and Escape work (Radix). `modal={false}` leaves
 * the rest of the page as it is while the menu is open (no aria-hidden on it).
 */
export function Menu({ trigger, items, align = 'end', modal = true }: { trigger: ReactNode; items: MenuItem[]; align?: 'start' | 'end'; modal?: boolean }) {
  return (
    <DropdownPrimitive.Root modal={modal}>
      <DropdownPrimitive.Trigger asChild>{trigger}</DropdownPrimitive.Trigger>
      <DropdownPrimitive.Portal>
        <DropdownPrimitive.Content align={align} sideOffset={4} className="z-50 min-w-40 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
          {items.map((item, index) => (
            <DropdownPrimitive.Item
              key={index}
              disabled={item.disabled}
              onSelect={item.onSelect}
              className={`cursor-pointer rounded px-3 py-2 text-sm outline-none data-[disabled]:opacity-50 data-[highlighted]:bg-slate-100 ${item.danger ? 'text-danger' : ''}`}
            >
              {item.label}
            </DropdownPrimitive.Item>
          ))}
        </DropdownPrimitive.Content>
      </DropdownPrimitive.Portal>
    </DropdownPrimitive.Root>
  );
}
