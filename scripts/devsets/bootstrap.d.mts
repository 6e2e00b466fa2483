/** Interval of a bootstrap: the observed value and the 2.5th / 97.5th percentiles of the resamples. */
export interface BootstrapInterval {
  value: number;
  low: number;
  high: number;
}
export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
}
export const RESAMPLES: number;
export const SEED: number;
export function bootstrapMeanOfGroups(groups: readonly (readonly number[])[], options?: BootstrapOptions): BootstrapInterval;
export function pairedBootstrap(pairs: readonly (readonly (readonly [number, number])[])[], options?: BootstrapOptions): BootstrapInterval;
