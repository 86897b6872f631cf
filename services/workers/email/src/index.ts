export { createSmtpSender, type SmtpSender, type SmtpSenderSettings } from './smtp-sender';
export { classifySmtpError, SMTP_PROVIDER } from './classify';
export { messageIdHeader } from './message-id';
export { emailSettingsSchema, loadEmailWorkerSettings, toSmtpSenderSettings, type EmailSettings, type EmailWorkerSettings } from './settings';
export { startEmailWorker, type RunningEmailWorker } from './main';
