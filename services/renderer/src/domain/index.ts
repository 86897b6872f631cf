export { cleanSmsText, stripDiacritics } from './diacritics';
export { analyzeSms, isGsm7, type SmsAnalysis, type SmsEncoding } from './sms-segments';
export { applySmsPolicy, markShortenable, markWhole, type ShortenTier, type SmsPart, type SmsPolicy, type SmsPolicyResult, SmsPolicyMemo } from './sms-policy';
export {
  formatVnDate,
  formatVnDateShort,
  formatVnDateTime,
  formatVnTime,
  formatVnTimeRange,
  InvalidDateError,
  isSecret,
  parseInstant,
  secrecyLabel,
  urgencyLabel,
} from './vn-format';
export { meetingUid } from './meeting-uid';
export { chooseChannels, SKIP_REASONS, type ChannelChoice, type ChannelContact } from './channel-choice';
export {
  TemplateError,
  type CompiledTemplate,
  type CompileTemplateOptions,
  type TemplateEngine,
  type TemplateMode,
} from './template-engine';
