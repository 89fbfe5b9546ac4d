import * as TabsPrimitive from '@radix-ui/react-tabs';
import type { ReactNode } from 'react';

export interface Tab {
  value: string;
  label: ReactNode;
  content: ReactNode;
}

/** Tabs with arrow-key navigation and the tab/tabpanel roles (Radix). */
export function Tabs({ tabs, value, onValueChange, label }: { tabs: Tab[]; value?: string; onValueChange?: (v: string) => void; label: string }) {
  return (
    <TabsPrimitive.Root value={value} defaultValue={tabs[0]?.value} onValueChange={onValueChange}>
      <TabsPrimitive.List aria-label={label} className="flex gap-1 overflow-x-auto border-b border-slate-200">
        {tabs.map((tab) => (
          <TabsPrimitive.Trigger
            key={tab.value}
            value={tab.value}
            className="border-b-2 border-transparent px-3 py-2 text-sm font-medium whitespace-nowrap text-slate-600 data-[state=active]:border-brand-600 data-[state=active]:text-brand-700"
          >
            {tab.label}
          </TabsPrimitive.Trigger>
        ))}
      </TabsPrimitive.List>
      {tabs.map((tab) => (
        <TabsPrimitive.Content key={tab.value} value={tab.value} className="pt-4">
          {tab.content}
        </TabsPrimitive.Content>
      ))}
    </TabsPrimitive.Root>
  );
}
