/** A chart's number as text: integers as they are, others to 2 decimals below 10 and 1 above. */
export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 10 ? 2 : 1);
}
