/**
 * A stand-in for AssemblyAI's Universal Streaming API v3, on loopback: `GET /v3/ws` upgraded to a
 * WebSocket with `sample_rate`, `encoding` (pcm_s16le) and `format_turns` in the query.
 *
 * - Authentication: `Authorization: <key>` (the bare key). A wrong or missing key: the socket opens,
 *   then closes with `refuseCode` (1008 by default; AssemblyAI also uses 4001) and a reason.
 * - Replies `{"type":"Begin","id","expires_at"}` at once.
 * - Binary frames are audio; each must hold 50–1000 ms, else the socket closes with 3007 ("Input
 *   Duration Violation"), as AssemblyAI does. The fake keeps an audio clock from the byte count.
 * - A scripted transcript per session (words with seconds; a gap of `turnGapSeconds` or more, or a
 *   word ending in . ? !, ends a turn): as audio arrives, `Turn` messages with the words heard so far
 *   (`end_of_turn: false`, lower case without punctuation), and once the audio is `endOfTurnSilence`
 *   past a turn's last word: the turn with `end_of_turn: true`, plain, then formatted (the script's
 *   text, `turn_is_formatted: true`). Word times are milliseconds from the session's first sample.
 * - `{"type":"Terminate"}`: the turn in progress ends (words already begun), then
 *   `{"type":"Termination","audio_duration_seconds","session_duration_seconds"}`, then close 1000.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { waitFor } from '../helpers/wait.ts';

export interface AaiStreamWord {
  /** As the formatted turn gives it (case, punctuation). */
  text: string;
  /** Seconds from the session's first sample. */
  start: number;
  end: number;
}

export interface AaiStreamSession {
  id: string;
  query: Record<string, string>;
  authorization: string | null;
  bytesReceived: number;
  /** Durations in ms of every audio frame received. */
  frameMs: number[];
  /** Text frames received, parsed. */
  controlMessages: Array<{ type?: string }>;
  /** Every message the fake sent, in order. */
  sent: Array<{ type: string; [key: string]: unknown }>;
  closed: Promise<{ code: number; reason: string }>;
  /** Closes the socket (as a network fault or a server-side error would). */
  close(code?: number, reason?: string): void;
  /** Cuts the TCP connection without a close frame. */
  drop(): void;
}

export type AaiStreamScript = (session: { query: Record<string, string> }) => AaiStreamWord[];

export interface FakeAssemblyAIStreamingServer {
  /** `ws://127.0.0.1:<port>/v3/ws`: ASSEMBLYAI_STREAMING_URL. */
  url: string;
  apiKey: string;
  sessions: AaiStreamSession[];
  /** Connections refused for their key (they never reach `sessions`). */
  refused: Array<{ authorization: string | null }>;
  setScript(script: AaiStreamScript): void;
  /** The close code a wrong key gets (1008 or 4001). */
  setRefuseCode(code: number): void;
  waitForSession(index: number, timeoutMs: number): Promise<AaiStreamSession>;
  close(): Promise<void>;
}

const BYTES_PER_SECOND = 16_000 * 2;

/** Words for `text` from `start` at a steady pace. */
export function aaiStreamWords(text: string, start: number, end: number): AaiStreamWord[] {
  const parts = text.split(/\s+/).filter(Boolean);
  const step = (end - start) / parts.length;
  return parts.map((word, i) => ({ text: word, start: start + i * step, end: start + (i + 0.8) * step }));
}

const plain = (text: string) => text.toLowerCase().replace(/[.,!?;:]/g, '');

export async function startFakeAssemblyAIStreaming(
  options: { apiKey: string; turnGapSeconds?: number; endOfTurnSilence?: number; interimEverySeconds?: number },
): Promise<FakeAssemblyAIStreamingServer> {
  const turnGap = options.turnGapSeconds ?? 0.6;
  const silence = options.endOfTurnSilence ?? 0.4;
  const interimEvery = options.interimEverySeconds ?? 0.3;
  let script: AaiStreamScript = () => [];
  let refuseCode = 1008;
  const sessions: AaiStreamSession[] = [];
  const refused: Array<{ authorization: string | null }> = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v3/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const authorization = (req.headers.authorization as string | undefined) ?? null;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (authorization !== options.apiKey) {
        refused.push({ authorization });
        ws.close(refuseCode, refuseCode === 1008 ? 'Unauthorized connection: Invalid API key' : 'Not Authorized');
        return;
      }
      startSession(ws, socket, Object.fromEntries(url.searchParams), authorization);
    });
  });

  function startSession(ws: WebSocket, tcp: Socket, query: Record<string, string>, authorization: string) {
    const id = randomUUID();
    const words = [...script({ query })].sort((a, b) => a.start - b.start);
    // Turns: split at long gaps and sentence ends.
    const turns: AaiStreamWord[][] = [];
    for (const [i, word] of words.entries()) {
      const previous = words[i - 1];
      if (!previous || word.start - previous.end >= turnGap || /[.?!]$/.test(previous.text)) turns.push([]);
      turns.at(-1)!.push(word);
    }
    let turn = 0;
    let heardInTurn = 0;
    let lastInterimAt = 0;
    let resolveClosed!: (value: { code: number; reason: string }) => void;
    const started = Date.now();
    const session: AaiStreamSession = {
      id,
      query,
      authorization,
      bytesReceived: 0,
      frameMs: [],
      controlMessages: [],
      sent: [],
      closed: new Promise((resolve) => (resolveClosed = resolve)),
      close(code = 1011, reason = '') {
        if (ws.readyState === ws.OPEN) ws.close(code, reason);
      },
      drop() {
        tcp.destroy();
      },
    };
    const send = (message: { type: string; [key: string]: unknown }) => {
      session.sent.push(message);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const turnMessage = (heard: AaiStreamWord[], endOfTurn: boolean, formatted: boolean) => {
      const text = (w: AaiStreamWord) => (formatted ? w.text : plain(w.text));
      send({
        type: 'Turn',
        turn_order: turn,
        turn_is_formatted: formatted,
        end_of_turn: endOfTurn,
        transcript: heard.map(text).join(' '),
        end_of_turn_confidence: endOfTurn ? 0.9 : 0.1,
        words: heard.map((w) => ({
          start: Math.round(w.start * 1000),
          end: Math.round(w.end * 1000),
          text: text(w),
          confidence: 0.93,
          word_is_final: true,
        })),
      });
    };
    const endTurn = (heard: AaiStreamWord[]) => {
      turnMessage(heard, true, false);
      if (query.format_turns === 'true') turnMessage(heard, true, true);
      turn += 1;
      heardInTurn = 0;
    };
    const step = (flush: boolean) => {
      const now = session.bytesReceived / BYTES_PER_SECOND;
      while (turn < turns.length) {
        const current = turns[turn];
        const heard = current.filter((w) => w.end <= now || (flush && w.start < now));
        const last = current.at(-1)!;
        if (heard.length === current.length && (flush || now >= last.end + silence)) {
          endTurn(heard);
          continue;
        }
        if (flush && heard.length > 0) endTurn(heard);
        else if (heard.length > heardInTurn && now - lastInterimAt >= interimEvery) {
          heardInTurn = heard.length;
          lastInterimAt = now;
          turnMessage(heard, false, false);
        }
        return;
      }
    };
    sessions.push(session);
    send({ type: 'Begin', id, expires_at: Math.floor(Date.now() / 1000) + 3600 });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
        const ms = (bytes.length / BYTES_PER_SECOND) * 1000;
        session.frameMs.push(ms);
        if (ms < 50 || ms > 1000) {
          ws.close(3007, 'Input Duration Violation: 50 ms - 1000 ms');
          return;
        }
        session.bytesReceived += bytes.length;
        step(false);
        return;
      }
      let message: { type?: string };
      try {
        message = JSON.parse(data.toString());
      } catch {
        ws.close(3000, 'Invalid Message');
        return;
      }
      session.controlMessages.push(message);
      if (message.type === 'Terminate') {
        step(true);
        send({
          type: 'Termination',
          audio_duration_seconds: Math.round(session.bytesReceived / BYTES_PER_SECOND),
          session_duration_seconds: Math.round((Date.now() - started) / 1000),
        });
        ws.close(1000, '');
      }
    });
    ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v3/ws`,
    apiKey: options.apiKey,
    sessions,
    refused,
    setScript(next) {
      script = next;
    },
    setRefuseCode(code) {
      refuseCode = code;
    },
    waitForSession(index, timeoutMs) {
      return waitFor(`AssemblyAI streaming session #${index}`, async () => sessions[index], timeoutMs, 20);
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
