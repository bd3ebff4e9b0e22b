// The Clock port: the workflow's "now" (epoch ms), a plain object so tests can move time.
export interface Clock {
  now(): number;
}
