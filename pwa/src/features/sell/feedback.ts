/**
 * Feedback on a scan a cashier hears without looking: a short high beep when the product went
 * on the ticket, a low one when the code is unknown (Web Audio; silent where it is missing).
 */
let context: AudioContext | null = null;

function beep(frequency: number, durationMs: number): void {
  try {
    context ??= new AudioContext();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.08;
    oscillator.connect(gain).connect(context.destination);
    oscillator.start();
    oscillator.stop(context.currentTime + durationMs / 1000);
  } catch {
    /* no audio: the screen still shows it */
  }
}

export const scanned = () => beep(1_320, 60);
export const unknownCode = () => beep(220, 180);
