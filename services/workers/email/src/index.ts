export { createSmtpSender, type SmtpSender, type SmtpSenderSettings } from './smtp-sender';
export { classifySmtpError, SMTP_PROVIDER } from './classify';
export { messageIdHeader } from './message-id';
export { emailSettingsSchema, toSmtpSenderSettings, type EmailSettings } from './settings';
