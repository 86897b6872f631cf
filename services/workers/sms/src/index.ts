export { TwilioSmsSender, classifyTwilioError, type SmsSender, type TwilioSenderOptions } from './adapters/twilio';
export { twilioSignature, validateTwilioRequest } from './adapters/twilio-signature';
export { EsmsSmsSender, ESMS_RESULT_CODES, classifyEsmsResult, toEsmsPhone, toRequestId, type EsmsSenderOptions } from './adapters/esms';
export { createTwilioCallbackRouter, type TwilioCallbackOptions } from './entry-points/twilio-callbacks';
export { loadSmsWorkerSettings, type SmsProviderSettings, type SmsSettings, type SmsWorkerSettings } from './settings';
export { startSmsWorker, type RunningSmsWorker, type SmsWorkerDeps } from './main';
