/** The logger the bus takes: pino's satisfies it. */
export interface BusLogger {
  child(bindings: Record<string, unknown>): BusLogger;
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}
