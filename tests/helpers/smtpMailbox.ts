// An SMTP server on loopback for tests: smtp-server speaks the protocol (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT,
// DATA…), mailparser reads what arrives; this module only keeps the messages and lets a test wait for one.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface ReceivedMessage {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  /** Who authenticated for this message, if anyone. */
  user: string | null;
  raw: string;
  /** Header values as text, by lower-cased name. */
  headers: Record<string, string>;
  /** The text body, transfer encoding undone. */
  text: string;
}

export interface SmtpMailbox {
  url: (credentials?: { user: string; pass: string }) => string;
  port: number;
  messages: ReceivedMessage[];
  /** Resolves with the first message whose recipients include `to` (or any message). */
  waitForMessage: (to?: string, timeoutMs?: number) => Promise<ReceivedMessage>;
  /** Answers every RCPT TO with this reply instead (e.g. "550 5.1.1 No such user"), or accepts again with null. */
  rejectRecipients: (reply: string | null) => void;
  close: () => Promise<void>;
}

export async function startSmtpMailbox(options: { credentials?: { user: string; pass: string } } = {}): Promise<SmtpMailbox> {
  const { credentials } = options;
  const messages: ReceivedMessage[] = [];
  const waiters: { to?: string; resolve: (message: ReceivedMessage) => void }[] = [];
  let rcptReply: string | null = null;

  const deliver = (message: ReceivedMessage) => {
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (!waiter.to || message.to.includes(waiter.to.toLowerCase())) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  };

  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    // Plain SMTP like the app's smtp:// URLs in tests: no STARTTLS offered, AUTH allowed without TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !credentials,
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Authentication credentials invalid'));
      }
    },
    onRcptTo(_address, _session, callback) {
      if (!rcptReply) return callback();
      const [, code, text] = /^(\d{3})\s*(.*)$/.exec(rcptReply) ?? [];
      callback(Object.assign(new Error(text ?? rcptReply), { responseCode: Number(code ?? 550) }) as SMTPServerError);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then((parsed) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of parsed.headers) {
            headers[name] = typeof value === 'string' ? value : ((value as { text?: string }).text ?? String(value));
          }
          const mailFrom = session.envelope.mailFrom;
          deliver({
            from: mailFrom ? mailFrom.address : '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            user: typeof session.user === 'string' ? session.user : null,
            raw: raw.toString('utf8'),
            headers,
            text: parsed.text ?? '',
          });
          callback();
        }, callback);
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    messages,
    url: (login) =>
      login
        ? `smtp://${encodeURIComponent(login.user)}:${encodeURIComponent(login.pass)}@127.0.0.1:${port}`
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
    rejectRecipients: (reply) => {
      rcptReply = reply;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
