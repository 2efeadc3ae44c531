/** The ambulatory glucose profile's colours, shared by the chart and its legend. */
export const AGP_COLORS = { median: '#1864ab', inner: 'rgba(51, 154, 240, 0.45)', outer: 'rgba(116, 192, 252, 0.25)' };
