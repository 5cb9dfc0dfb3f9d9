// The microphone: asked for once when the Record screen opens, its level measured continuously
// with a Web Audio AnalyserNode (RMS of the waveform, in dBFS, mapped to 0..100 for the meter).
import { useCallback, useEffect, useRef, useState } from 'react';

export type MicrophoneState =
  | { kind: 'asking' }
  | { kind: 'ready'; stream: MediaStream }
  | { kind: 'refused'; message: string }
  | { kind: 'unavailable'; message: string };

const wakeEvents = ['keydown', 'pointerdown'] as const;

/** The quietest level the meter shows; silence sits at 0. */
const FLOOR_DB = -60;

function describeFailure(error: unknown): MicrophoneState {
  const name = (error as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return {
      kind: 'refused',
      message:
        'Microphone access was refused. Allow this site to use the microphone (the camera/microphone icon in the address bar, or the browser\'s site settings), then press "Try again".',
    };
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return { kind: 'unavailable', message: 'No microphone was found. Connect one, then press "Try again".' };
  }
  if (name === 'NotReadableError') {
    return { kind: 'unavailable', message: 'The microphone is in use by another application or could not be started. Close it there, then press "Try again".' };
  }
  return { kind: 'unavailable', message: `The microphone could not be opened: ${(error as Error)?.message ?? String(error)}` };
}

export function useMicrophone(): { state: MicrophoneState; level: number; retry: () => void; resumeMeter: () => void } {
  const [state, setState] = useState<MicrophoneState>({ kind: 'asking' });
  const [level, setLevel] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const audioContext = useRef<AudioContext | null>(null);

  useEffect(() => {
    let cancelled = false;
    let stream: MediaStream | null = null;
    let frame = 0;
    let removeWake = () => {};
    setState({ kind: 'asking' });
    if (!navigator.mediaDevices?.getUserMedia) {
      setState({ kind: 'unavailable', message: 'This browser cannot record audio here (a secure https:// address is needed).' });
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true } })
      .then((granted) => {
        if (cancelled) {
          granted.getTracks().forEach((track) => track.stop());
          return;
        }
        stream = granted;
        const context = new AudioContext();
        audioContext.current = context;
        const analyser = context.createAnalyser();
        analyser.fftSize = 1024;
        context.createMediaStreamSource(granted).connect(analyser);
        const samples = new Float32Array(analyser.fftSize);
        let shown = -1;
        const measure = () => {
          analyser.getFloatTimeDomainData(samples);
          let sum = 0;
          for (const sample of samples) sum += sample * sample;
          const db = 10 * Math.log10(sum / samples.length + 1e-12);
          const value = Math.round(Math.max(0, Math.min(100, ((db - FLOOR_DB) / -FLOOR_DB) * 100)));
          if (value !== shown) {
            shown = value;
            setLevel(value);
          }
          frame = requestAnimationFrame(measure);
        };
        measure();
        // Browsers keep a new AudioContext suspended until the page had a user gesture: the first
        // key or pointer press (or the Record button) wakes the meter.
        if (context.state === 'suspended') {
          const wake = () => void context.resume();
          wakeEvents.forEach((type) => window.addEventListener(type, wake, { once: true, capture: true }));
          removeWake = () => wakeEvents.forEach((type) => window.removeEventListener(type, wake, { capture: true }));
        }
        setState({ kind: 'ready', stream: granted });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState(describeFailure(error));
      });
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      removeWake();
      stream?.getTracks().forEach((track) => track.stop());
      void audioContext.current?.close();
      audioContext.current = null;
    };
  }, [attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  // Browsers start an AudioContext suspended until a user gesture: the Record button resumes it.
  const resumeMeter = useCallback(() => void audioContext.current?.resume(), []);
  return { state, level, retry, resumeMeter };
}
