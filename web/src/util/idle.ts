/** Runs fn when the browser has nothing more pressing to do (or after at most a second); returns a cancel. */
export function whenIdle(fn: () => void): () => void {
  const w = window as Window & {
    requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number;
    cancelIdleCallback?: (id: number) => void;
  };
  if (w.requestIdleCallback && w.cancelIdleCallback) {
    const id = w.requestIdleCallback(fn, { timeout: 1000 });
    return () => w.cancelIdleCallback!(id);
  }
  const id = setTimeout(fn, 1);
  return () => clearTimeout(id);
}
