import { callService, expectStatus } from '../http';
import { KEY_OPTION, parseCommandArgs, type Command } from '../command';
import { CliError, EXIT, UsageError } from '../errors';
import { resolveKey, urlFlag } from '../settings';
import { readInputFile } from './files';

const USAGE = `Gửi sự kiện / send an event from a JSON file to the intake (POST /v1/events)

  npm run gateway -- send <event.json>

Prints the event id when accepted; otherwise the problem, naming every invalid field.

Options:
  --intake-url <url>   the intake (default: $GATEWAY_INTAKE_URL, else http://127.0.0.1:8080)
  --key <key>          a key with scope events:write (default: $GATEWAY_KEY, else the npm start dev key)

Example:
  npm run gateway -- send contracts/examples/meeting-scheduled-hoi-nghi-bch.json`;

export const sendCommand: Command = {
  name: 'send',
  summary: 'send an event from a JSON file',
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { ...KEY_OPTION, 'intake-url': { type: 'string' } });
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw new UsageError('send takes one file: send <event.json>');
    const text = readInputFile(file).toString('utf8');
    try {
      JSON.parse(text);
    } catch (err) {
      throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    const baseUrl = urlFlag('intake-url', values['intake-url'], ctx.settings.intakeUrl);
    const answer = await callService({ name: 'intake', baseUrl, setting: 'GATEWAY_INTAKE_URL' }, { method: 'POST', path: '/v1/events', key: resolveKey(values.key, ctx.settings), body: text, contentType: 'application/json' });
    expectStatus(answer, [200, 202]);
    const accepted = answer.body as { id: string; type?: string; receivedAt?: string };
    const replayed = answer.headers.get('idempotent-replayed') === 'true';
    ctx.out(`Đã nhận / accepted: ${accepted.id}${accepted.type ? ` (${accepted.type})` : ''}${replayed ? ' — already received earlier, not sent again' : ''}`);
    return EXIT.ok;
  },
};
