// Unsaved input anywhere in the panel: the browser asks before the tab is closed or reloaded, and
// Sign out asks first. Forms register while they hold changes (useUnsaved(true)).
import { useEffect } from 'preact/hooks';

const holders = new Set<symbol>();

window.addEventListener('beforeunload', (event) => {
  if (holders.size > 0) {
    event.preventDefault();
    event.returnValue = '';
  }
});

export const hasUnsavedInput = (): boolean => holders.size > 0;

export function useUnsaved(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return undefined;
    const me = Symbol('unsaved');
    holders.add(me);
    return () => {
      holders.delete(me);
    };
  }, [dirty]);
}
