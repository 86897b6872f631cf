export { createSmtpSender, type SmtpSender, type SmtpSenderSettings } from './adapters/smtp-sender';
export { classifySmtpError, SMTP_PROVIDER } from './adapters/classify';
export { messageIdHeader } from './domain/message-id';
export { emailSettingsSchema, loadEmailWorkerSettings, toSmtpSenderSettings, type EmailSettings, type EmailWorkerSettings } from './settings';
export { startEmailWorker, type RunningEmailWorker } from './main';
