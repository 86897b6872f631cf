export { compileTemplates, PART_NAMES, TemplateLoadError, type EventTemplates, type PartSet, type SmsTemplatePart, type TemplateRegistry } from './templates';
export {
  buildEventView,
  buildViewModel,
  recipientView,
  type AgencyInfo,
  type DocumentView,
  type EventView,
  type MeetingView,
  type RecipientPerson,
  type SecretDocumentView,
  type ViewModel,
  type ViewModelContext,
} from './view-model';
export {
  createRenderer,
  isSkipped,
  PreparedEvent,
  type PrepareOptions,
  type RenderContext,
  type Renderer,
  type RendererOptions,
  type RenderResult,
  type SkippedMessage,
} from './render';
export { prepareEventCalendar, type EventCalendar } from './calendar-part';
export { analyzeRecipientUse, PartRenderer, type Part, type RecipientUse } from './personalize';
export { smsView } from './sms-view';
