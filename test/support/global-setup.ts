import { buildIfStale } from './build.js';

export default function setup(): void {
  buildIfStale();
}
