import { createRequire } from 'node:module';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** 'smtp' sends; 'log' writes the mail to the log (development only: config refuses it in production). */
  readonly kind: 'smtp' | 'log';
  /** Rejects when the mail could not be handed to the SMTP server. */
  send(mail: Mail): Promise<void>;
}

export function createMailer(config: Config['mail'], logger: Logger): Mailer {
  if (!config.smtpUrl) {
    return {
      kind: 'log',
      async send(mail) {
        // Without SMTP the developer has no other way to follow a verification link.
        logger.info({ mail }, 'SMTP_URL is not set: this mail was not sent, it is written here instead');
      },
    };
  }
  const smtpUrl = config.smtpUrl;
  // nodemailer is loaded at the first mail, not at start: it is ~12 MB of resident memory for a few mails a day.
  let transport: Transporter | undefined;
  const transportOf = (): Transporter =>
    (transport ??= (createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer')).createTransport({
      url: smtpUrl,
      // Bounded, so a silent SMTP server turns into a 502 within seconds rather than a hung request.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    }));
  return {
    kind: 'smtp',
    async send(mail) {
      await transportOf().sendMail({ from: config.from, ...mail });
    },
  };
}
