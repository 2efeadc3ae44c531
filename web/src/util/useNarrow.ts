import { useMediaQuery } from '@mantine/hooks';

/** True on a phone-sized screen, where tables become lists of cards. */
export function useNarrow(): boolean {
  return useMediaQuery('(max-width: 36em)') ?? false;
}
