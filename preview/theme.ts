// Grafana's dark theme as far as a picture needs it: its named colours (threshold steps say "green", "red",
// "dark-orange"…), the classic palette series are coloured from in order, and the page colours.

const NAMED: Record<string, string> = {
  green: '#73BF69', 'dark-green': '#37872D', 'semi-dark-green': '#56A64B', 'light-green': '#96D98D', 'super-light-green': '#C8F2C2',
  red: '#F2495C', 'dark-red': '#C4162A', 'semi-dark-red': '#E02F44', 'light-red': '#FF7383', 'super-light-red': '#FFA6B0',
  orange: '#FF9830', 'dark-orange': '#FA6400', 'semi-dark-orange': '#FF780A', 'light-orange': '#FFB357', 'super-light-orange': '#FFCB7D',
  yellow: '#FADE2A', 'dark-yellow': '#E0B400', 'semi-dark-yellow': '#F2CC0C', 'light-yellow': '#FFEE52', 'super-light-yellow': '#FFF899',
  blue: '#5794F2', 'dark-blue': '#1F60C4', 'semi-dark-blue': '#3274D9', 'light-blue': '#8AB8FF', 'super-light-blue': '#C0D8FF',
  purple: '#B877D9', 'dark-purple': '#8F3BB8', 'semi-dark-purple': '#A352CC', 'light-purple': '#CA95E5', 'super-light-purple': '#DEB6F2',
  text: '#CCCCDC',
  transparent: 'transparent',
};

/** Grafana's "classic palette": the colour of the n-th series of a panel. */
export const PALETTE = [
  '#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0', '#508642', '#CCA300', '#447EBC', '#C15C17',
  '#890F02', '#0A437C', '#6D1F62', '#584477', '#B7DBAB', '#F4D598', '#70DBED', '#F9BA8F', '#F29191', '#82B5D8', '#E5A8E2', '#AEA2E0',
] as const;

export const seriesColor = (index: number): string => PALETTE[index % PALETTE.length]!;

/** A colour as CSS: Grafana's names resolved, anything else (#hex, rgb()) as written. */
export function cssColor(color: string): string {
  return NAMED[color] ?? color;
}

export const THEME = {
  background: '#111217',
  panel: '#181B1F',
  border: '#2C3235',
  text: '#CCCCDC',
  secondaryText: '#8E8E99',
  grid: 'rgba(204, 204, 220, 0.08)',
  error: '#F2495C',
  /** Annotations: Grafana's built-in annotation colour. */
  annotation: 'rgba(0, 211, 255, 1)',
  font: '"Inter", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif',
} as const;
