/**
 * Keyboard-wedge barcode scanners type the code, fast, then Enter. `WedgeDetector` tells such a
 * burst from a person typing: at least `minLength` characters ending in Enter, at most
 * `averageGapMs` apart on average (people type 100 ms or more apart; scanners a few ms), with no
 * pause over `pauseMs` (which starts a new burst), so a busy page's hiccup does not lose a scan.
 * It sees keys only while no text field has the focus (a field gets the scan as typed text, and
 * the search box treats Enter on an exact code as a scan).
 */
export interface WedgeOptions {
  minLength?: number;
  averageGapMs?: number;
  pauseMs?: number;
}

export class WedgeDetector {
  private buffer = '';
  private startedAt = 0;
  private lastAt = 0;
  private readonly minLength: number;
  private readonly averageGapMs: number;
  private readonly pauseMs: number;

  constructor({ minLength = 4, averageGapMs = 50, pauseMs = 300 }: WedgeOptions = {}) {
    this.minLength = minLength;
    this.averageGapMs = averageGapMs;
    this.pauseMs = pauseMs;
  }

  /** Feed one key; returns the scanned code when this key (Enter) ends a scan. */
  key(key: string, at: number): string | null {
    const paused = at - this.lastAt > this.pauseMs;
    this.lastAt = at;
    if (key === 'Enter') {
      const code = this.buffer;
      this.buffer = '';
      const average = (at - this.startedAt) / Math.max(1, code.length);
      return !paused && code.length >= this.minLength && average <= this.averageGapMs ? code : null;
    }
    if (key.length !== 1) return null;
    if (paused || !this.buffer) {
      this.buffer = key;
      this.startedAt = at;
    } else this.buffer += key;
    return null;
  }
}
