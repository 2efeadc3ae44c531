import { useMediaQuery } from '@mantine/hooks';

/**
 * True on a phone-sized screen, where tables become lists of cards. Read
 * at the first render (there is no server rendering to agree with), so a
 * page is not drawn once for a wide screen and again at once after mount.
 */
export function useNarrow(): boolean {
  return useMediaQuery('(max-width: 36em)', undefined, { getInitialValueInEffect: false }) ?? false;
}
