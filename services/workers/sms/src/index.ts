export { TwilioSmsSender, TWILIO_PERMANENT_CODES, classifyTwilioError, type SmsSender, type TwilioSenderOptions } from './providers/twilio';
export { twilioSignature, validateTwilioRequest } from './providers/twilio-signature';
export { EsmsSmsSender, ESMS_RESULT_CODES, ESMS_SEND_PATH, classifyEsmsResult, toEsmsPhone, toRequestId, type EsmsSenderOptions } from './providers/esms';
export { createTwilioCallbackRouter, type TwilioCallbackOptions } from './entry-points/twilio-callbacks';
export { loadSmsWorkerSettings, SMS_PROVIDER_KINDS, type SmsProviderSettings, type SmsSettings, type SmsWorkerSettings } from './config';
export { startSmsWorker, type RunningSmsWorker } from './main';
