import nodemailer from 'nodemailer';
import type { CoreDeps } from '../context.ts';
import type { OutboxEmail } from '../db/db.ts';
import { newId } from '../ids.ts';

interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Strings (tokens) blanked out of the copy kept in the outbox once SMTP has delivered the message. */
  secrets?: string[];
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;
const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport({
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      dnsTimeout: 10_000,
    });
    transports.set(url, transport);
  }
  return transport;
}

/**
 * Sends an email through SMTP when SMTP_URL is set, and keeps a copy in the outbox table either way.
 * Without SMTP (or when delivery fails) the whole message goes to the log and stays readable by admins
 * through `outbox`, so an operator can forward it by hand. Never throws for delivery problems: the
 * outbox row records the error instead.
 */
export async function sendEmail(deps: CoreDeps, email: OutgoingEmail): Promise<OutboxEmail> {
  const id = newId('OutboxEmail');
  const url = deps.env.SMTP_URL;
  if (!url) {
    deps.logger.info(
      { emailId: id, to: email.to, subject: email.subject, body: email.text },
      'email not sent: SMTP_URL is not set; kept in the outbox',
    );
    return deps.db.outboxEmail.create({ data: { id, to: email.to, subject: email.subject, body: email.text } });
  }
  let error: string | null = null;
  try {
    await transportFor(url).sendMail({ from: deps.env.SMTP_FROM, to: email.to, subject: email.subject, text: email.text });
  } catch (caught) {
    error = (caught instanceof Error ? caught.message : String(caught)).slice(0, 1000);
  }
  if (error) {
    deps.logger.warn(
      { emailId: id, to: email.to, subject: email.subject, body: email.text, reason: error },
      'email could not be sent; kept in the outbox',
    );
    return deps.db.outboxEmail.create({ data: { id, to: email.to, subject: email.subject, body: email.text, error } });
  }
  let kept = email.text;
  for (const secret of email.secrets ?? []) kept = kept.split(secret).join('[sent by email, not kept]');
  deps.logger.info({ emailId: id, to: email.to, subject: email.subject }, 'email sent');
  return deps.db.outboxEmail.create({
    data: { id, to: email.to, subject: email.subject, body: kept, sentAt: new Date() },
  });
}
