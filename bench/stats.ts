// Summaries shared by the benchmarks: medians (what we quote) with the samples kept beside them (what we judge noise by).

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  median: number;
  samples: number[];
}

export function summary(values: number[], digits = 0): Summary {
  const factor = 10 ** digits;
  const round = (v: number) => Math.round(v * factor) / factor;
  return { median: round(median(values)), samples: values.map(round) };
}

export function ratio(numerator: number, denominator: number): number {
  return Number((numerator / denominator).toFixed(3));
}
