// A small SMTP receiver on loopback for tests (RFC 5321 subset): greeting, EHLO/HELO, AUTH PLAIN and
// LOGIN (when credentials are configured), MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP,
// QUIT. Messages are kept in memory with their headers and decoded text body.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  from: string;
  to: string[];
  /** Who authenticated for this message, if anyone. */
  user: string | null;
  raw: string;
  headers: Record<string, string>;
  /** The text body, transfer encoding (quoted-printable, base64) undone. */
  text: string;
}

export interface FakeSmtpServer {
  url: (credentials?: { user: string; pass: string }) => string;
  port: number;
  messages: ReceivedMessage[];
  /** Resolves with the next message whose recipients include `to` (or any message). */
  waitForMessage: (to?: string, timeoutMs?: number) => Promise<ReceivedMessage>;
  /** Answers every RCPT TO with this reply instead (e.g. "550 5.1.1 No such user"), or accepts again with null. */
  rejectRecipients: (reply: string | null) => void;
  close: () => Promise<void>;
}

export async function startFakeSmtpServer(options: { credentials?: { user: string; pass: string } } = {}): Promise<FakeSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const waiters: { to?: string; resolve: (message: ReceivedMessage) => void }[] = [];
  let rcptReply: string | null = null;
  const sockets = new Set<net.Socket>();

  const deliver = (message: ReceivedMessage) => {
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (!waiter.to || message.to.includes(waiter.to.toLowerCase())) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    const reply = (line: string) => socket.write(`${line}\r\n`);

    let buffer = '';
    let mode: 'command' | 'data' | 'authPlain' | 'authLoginUser' | 'authLoginPass' = 'command';
    let from: string | null = null;
    let to: string[] = [];
    let dataLines: string[] = [];
    let user: string | null = null;
    let pendingUser = '';
    let greeted = false;

    const checkCredentials = (name: string, pass: string) => {
      const expected = options.credentials;
      if (expected && name === expected.user && pass === expected.pass) {
        user = name;
        reply('235 2.7.0 Authentication successful');
      } else {
        reply('535 5.7.8 Authentication credentials invalid');
      }
    };

    const onLine = (line: string) => {
      if (mode === 'data') {
        if (line === '.') {
          mode = 'command';
          const raw = dataLines.join('\r\n');
          deliver({ from: from ?? '', to, user, raw, ...parseMessage(raw) });
          from = null;
          to = [];
          dataLines = [];
          reply('250 2.0.0 Ok: queued');
          return;
        }
        dataLines.push(line.startsWith('.') ? line.slice(1) : line);
        return;
      }
      if (mode === 'authPlain') {
        mode = 'command';
        const [, name, pass] = Buffer.from(line, 'base64').toString('utf8').split('\u0000');
        checkCredentials(name ?? '', pass ?? '');
        return;
      }
      if (mode === 'authLoginUser') {
        pendingUser = Buffer.from(line, 'base64').toString('utf8');
        mode = 'authLoginPass';
        reply(`334 ${Buffer.from('Password:').toString('base64')}`);
        return;
      }
      if (mode === 'authLoginPass') {
        mode = 'command';
        checkCredentials(pendingUser, Buffer.from(line, 'base64').toString('utf8'));
        return;
      }

      const [verb = '', ...rest] = line.split(' ');
      const argument = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          greeted = true;
          socket.write(
            ['250-fake-smtp greets you', '250-8BITMIME', '250-SMTPUTF8', ...(options.credentials ? ['250-AUTH PLAIN LOGIN'] : []), '250 ENHANCEDSTATUSCODES']
              .map((l) => `${l}\r\n`)
              .join(''),
          );
          return;
        case 'HELO':
          greeted = true;
          reply('250 fake-smtp');
          return;
        case 'AUTH': {
          if (!options.credentials) return void reply('503 5.5.1 AUTH not available');
          const [method = '', initial] = argument.split(' ');
          if (method.toUpperCase() === 'PLAIN') {
            if (initial) {
              const [, name, pass] = Buffer.from(initial, 'base64').toString('utf8').split('\u0000');
              checkCredentials(name ?? '', pass ?? '');
            } else {
              mode = 'authPlain';
              reply('334 ');
            }
            return;
          }
          if (method.toUpperCase() === 'LOGIN') {
            if (initial) {
              pendingUser = Buffer.from(initial, 'base64').toString('utf8');
              mode = 'authLoginPass';
              reply(`334 ${Buffer.from('Password:').toString('base64')}`);
            } else {
              mode = 'authLoginUser';
              reply(`334 ${Buffer.from('Username:').toString('base64')}`);
            }
            return;
          }
          return void reply('504 5.5.4 Unrecognized authentication type');
        }
        case 'MAIL': {
          if (!greeted) return void reply('503 5.5.1 Send EHLO first');
          if (options.credentials && !user) return void reply('530 5.7.0 Authentication required');
          const match = /^FROM:\s*<([^>]*)>/i.exec(argument);
          if (!match) return void reply('501 5.5.4 Syntax: MAIL FROM:<address>');
          from = match[1];
          to = [];
          return void reply('250 2.1.0 Ok');
        }
        case 'RCPT': {
          if (from === null) return void reply('503 5.5.1 Need MAIL first');
          const match = /^TO:\s*<([^>]+)>/i.exec(argument);
          if (!match) return void reply('501 5.5.4 Syntax: RCPT TO:<address>');
          if (rcptReply) return void reply(rcptReply);
          to.push(match[1].toLowerCase());
          return void reply('250 2.1.5 Ok');
        }
        case 'DATA':
          if (from === null || to.length === 0) return void reply('503 5.5.1 Need RCPT first');
          mode = 'data';
          dataLines = [];
          return void reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          from = null;
          to = [];
          return void reply('250 2.0.0 Ok');
        case 'NOOP':
          return void reply('250 2.0.0 Ok');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          socket.end();
          return;
        default:
          reply('502 5.5.2 Command not recognized');
      }
    };

    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let index = buffer.indexOf('\r\n');
      while (index !== -1) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        onLine(line);
        index = buffer.indexOf('\r\n');
      }
    });
    reply('220 fake-smtp ESMTP ready');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    messages,
    url: (credentials) =>
      credentials
        ? `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@127.0.0.1:${port}`
        : `smtp://127.0.0.1:${port}`,
    waitForMessage: (recipient, timeoutMs = 10_000) => {
      const existing = messages.find((message) => !recipient || message.to.includes(recipient.toLowerCase()));
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = { to: recipient, resolve: (message: ReceivedMessage) => (clearTimeout(timer), resolve(message)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no message for ${recipient ?? 'anyone'} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    rejectRecipients: (replyLine) => {
      rcptReply = replyLine;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Headers (unfolded, lower-cased names) and the text body of a single-part message. */
function parseMessage(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let text = body;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

/** RFC 2047 encoded words ("=?UTF-8?Q?...?=", "=?UTF-8?B?...?="); blanks between two of them vanish. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let index = 0; index < joined.length; index += 1) {
    const char = joined[index];
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(index + 1, index + 3))) {
      bytes.push(parseInt(joined.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
