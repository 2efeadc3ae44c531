import { createTheme, DEFAULT_THEME, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/**
 * Mantine's palette with shades 8 and 9 darkened where they fell short of
 * WCAG AA (4.5:1): white text on shade 8 (filled buttons and badges, with
 * primaryShade 8), shade 8 as text on the page's grey, and shade 9 as text
 * on its own light tints 1 and 2 (light alerts, badges, buttons, and the
 * navigation's active link, also under the pointer). The new shades
 * are the old ones darkened just enough for 4.6:1; e2e/lib/contrast.mjs
 * checks the pages.
 */
const DARKER: Record<string, [string, string]> = {
  red: ['#d52f2f', '#af2525'],
  violet: ['#6741d9', '#5939b8'],
  indigo: ['#3b5bdb', '#3249b7'],
  blue: ['#1971c2', '#165b9c'],
  cyan: ['#0b7c8e', '#0a697a'],
  teal: ['#08805c', '#077050'],
  green: ['#278238', '#237133'],
  lime: ['#4d7e0b', '#48730a'],
  yellow: ['#a66100', '#a35400'],
  orange: ['#c34b0a', '#ae3a0c'],
};
const colors = Object.fromEntries(
  Object.entries(DARKER).map(([name, [eight, nine]]) => [
    name,
    DEFAULT_THEME.colors[name]!.map((c, i) => (i === 8 ? eight : i === 9 ? nine : c)) as unknown as MantineColorsTuple,
  ]),
);

/** Dimmed text (hints, units, secondary lines): Mantine's grey 6 is 3.3:1 on white; this is 5.4:1 on white and 5.1:1 on the page's grey. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': '#646b72' },
  dark: {},
});

export const theme = createTheme({
  colors,
  primaryColor: 'cyan',
  primaryShade: { light: 8, dark: 5 },
  defaultRadius: 'md',
  fontFamily:
    'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '650' },
  cursorType: 'pointer',
  focusRing: 'auto',
  components: {
    Button: { defaultProps: { radius: 'md' } },
    Paper: { defaultProps: { radius: 'lg' } },
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
  },
});
