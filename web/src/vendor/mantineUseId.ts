// Stands in for @mantine/hooks' useId (vite.config.ts swaps it in). Mantine's
// own hook renders every component that asks for an id twice on mount: once
// with React's id, then, from a layout effect, again with a random one. On a
// patient's page that was a second render of the shell's menus, the chart's
// controls and more, in the same task as the first, before the chart could
// be drawn. React's useId is already unique and stable for the component's
// lifetime, which is all Mantine asks of it (ids tie labels, menus and
// popovers to their targets), so this returns it at once.
import { useId as useReactId } from 'react';

export function useId(staticId?: string): string {
  const reactId = useReactId();
  if (typeof staticId === 'string') return staticId;
  // React's ids may hold characters that are awkward in a CSS selector.
  return `mantine-${reactId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}
