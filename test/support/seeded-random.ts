// A small seeded PRNG for tests whose inputs must be random-looking yet the same on every run.

/** mulberry32 (public domain): floats in [0, 1); the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` unit vectors of `dimension` floats in `clusters` clusters (as embeddings of related code
 * are): a Gaussian centre per cluster plus Gaussian noise of norm about 0.3, L2-normalised.
 */
export function clusteredVectors(count: number, clusters: number, seed: number, dimension: number): Float32Array[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dimension }, gauss));
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[i % clusters]!;
    const v = Float32Array.from(centre, (c) => c / Math.sqrt(dimension) + (0.3 / Math.sqrt(dimension)) * gauss());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}
