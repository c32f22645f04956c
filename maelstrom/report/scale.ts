// Mapping data values to pixels, and choosing the tick values a reader expects (1, 2, 5 x 10^k on
// linear axes; decades, with 2 and 5 in between when there are few, on log axes).
import { formatNumber } from './svg-text.ts';

export type AxisKind = 'linear' | 'log';

export interface Scale {
  readonly kind: AxisKind;
  /** Data interval, after rounding outward to nice values. */
  readonly domain: readonly [number, number];
  /** Pixel interval; may be reversed (y axes grow upward). */
  readonly range: readonly [number, number];
  map(value: number): number;
  ticks(): number[];
  format(value: number): string;
}

/** A step of 1, 2 or 5 times a power of ten giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const factor = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
  return factor * power;
}

/** Ticks at multiples of a nice step covering [min, max]. */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const step = niceStep(max - min, count);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** [min, max] widened to tick boundaries; a degenerate interval is opened up around its value. */
export function niceLinearDomain(min: number, max: number, count = 6): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return min === 0 ? [0, 1] : [Math.min(0, min), Math.max(0, max) || 1];
  const step = niceStep(max - min, count);
  return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}

/** Powers of ten enclosing [min, max]; both must be positive. */
export function niceLogDomain(min: number, max: number): [number, number] {
  const low = min > 0 && Number.isFinite(min) ? min : 1;
  const high = max > 0 && Number.isFinite(max) ? Math.max(max, low) : low;
  const lowPower = Math.floor(Math.log10(low) + 1e-9);
  let highPower = Math.ceil(Math.log10(high) - 1e-9);
  if (highPower <= lowPower) highPower = lowPower + 1;
  return [10 ** lowPower, 10 ** highPower];
}

/** Decades in [min, max], plus 2x and 5x marks when the range spans fewer than three decades. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const decades = Math.log10(max / min);
  const multiples = decades < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power++) {
    for (const m of multiples) {
      const value = Number((m * 10 ** power).toPrecision(12));
      if (value >= min * (1 - 1e-9) && value <= max * (1 + 1e-9)) ticks.push(value);
    }
  }
  return ticks;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return {
    kind: 'linear',
    domain,
    range,
    map: (value) => r0 + ((value - d0) / span) * (r1 - r0),
    ticks: () => niceTicks(d0, d1, Math.max(2, Math.round(Math.abs(r1 - r0) / 90))),
    format: (value) => formatNumber(value),
  };
}

/** Log scale; values at or below zero are drawn at the bottom of the domain rather than dropped. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return {
    kind: 'log',
    domain,
    range,
    map: (value) => r0 + ((Math.log10(Math.max(value, d0)) - l0) / span) * (r1 - r0),
    ticks: () => logTicks(d0, d1),
    format: (value) => formatNumber(value),
  };
}
