/**
 * `value` rounded to `decimals` places, the one rounding rule for figures the API shows and stores:
 * seconds to whole milliseconds (3), US dollars to micro-dollars (6), ratios (3 or 6).
 */
export function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
