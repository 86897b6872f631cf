import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CapturedEmail, CapturedSms, DevOutbox } from '@gateway/common';
import { launchTestBrowser } from '@gateway/tests/support/browser';
import { waitFor } from '@gateway/tests/support/infra';
import { connectedProducer, produceMessages, smsMessage } from '@gateway/worker-core/test/support/kafka';
import { smsTestBed, twilioEnv, type SmsTestBed } from '@gateway/worker-sms/test/support/harness';
import { startLoopbackTwilio, twilioAccount, type LoopbackTwilio } from '@gateway/worker-sms/test/support/loopback-providers';
import type { RunningOperator } from '../src/main';
import { client, produceRendered, removeKeys, startTestOperator, writeKeys, type TestKeys } from './support';

jest.setTimeout(180_000);

// A test artifact (ignored by git); docs/screenshots/console-failed.png is a committed copy for the README.
const SCREENSHOT = join(__dirname, '..', '..', '..', 'test-artifacts', 'console-failed.png');
const WRONG = '+84900000009';
const RIGHT = '+84905123456';

/** An outbox with what an attacker could put in a message: none of it may run in the console. */
const outbox: DevOutbox = (() => {
  const mails: CapturedEmail[] = [
    {
      messageId: 'm-mail-1',
      eventId: 'e-1',
      to: 'nvan@danang.gov.vn',
      subject: '<img src=x onerror="window.__pwned=1">Giấy mời họp',
      html: '<h1>Kính mời đồng chí</h1><script>window.parent.__pwned = 2</script><img src=x onerror="window.parent.__pwned=3">',
      text: 'Kính mời đồng chí dự họp.',
      ics: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR',
      at: new Date().toISOString(),
    },
  ];
  const texts: CapturedSms[] = [{ messageId: 'm-sms-1', eventId: 'e-1', to: RIGHT, body: 'Kính mời đồng chí dự họp lúc 08 giờ 00.', encoding: 'UCS-2', segments: 1, at: new Date().toISOString() }];
  return { emails: () => mails, email: (id) => mails.find((m) => m.messageId === id), sms: () => texts };
})();

describe('operator console in a real browser (headless Chromium)', () => {
  let bed: SmsTestBed;
  let twilio: LoopbackTwilio;
  let keys: TestKeys;
  let operator: RunningOperator;
  let browser: Browser;
  let producer: Awaited<ReturnType<typeof connectedProducer>>;

  beforeAll(async () => {
    bed = await smsTestBed('op-console', 3);
    const account = twilioAccount();
    twilio = await startLoopbackTwilio([account]);
    const refusals: Record<string, { code: number; message: string }> = {
      [WRONG]: { code: 21211, message: `The 'To' number ${WRONG} is not a valid phone number.` },
      '+84900000008': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
      '+84900000007': { code: 21614, message: "'To' number is not a valid mobile number" },
    };
    twilio.answer = (req) => {
      const refusal = refusals[req.to];
      return refusal ? { kind: 'error', status: 400, code: refusal.code, message: refusal.message } : { kind: 'accept' };
    };
    await bed.start({ SMS_PROVIDERS: 'twilio', ...twilioEnv(twilio.url, account) });
    keys = writeKeys();
    operator = await startTestOperator(bed.prefix, keys, { devOutbox: outbox });
    producer = await connectedProducer();
    const eventId = `${bed.prefix}-hop-bch`;
    const people = [
      { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: WRONG },
      { id: 'tran-thi-binh', name: 'Trần Thị Bình', phone: '+84900000008' },
      { id: 'le-van-cuong', name: 'Lê Văn Cường', phone: '+84900000007' },
      { id: 'pham-thi-dung', name: 'Phạm Thị Dung', phone: '+84912000004' },
    ];
    const messages = people.map((recipient, i) => smsMessage(bed.prefix, i + 1, { eventId, recipient, urgency: 'khan' }));
    await produceRendered(producer, bed.topics, messages);
    await produceMessages(producer, bed.topics.sms, messages);
    const call = client(operator.url);
    await waitFor(async () => (await call('GET', `/v1/notifications?eventId=${eventId}&status=failed&pageSize=0`, keys.viewer)).json.total === 3, { timeoutMs: 60_000, message: 'three failed SMS projected' });
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await operator?.stop();
    await producer?.disconnect();
    await bed?.stopAll();
    await twilio?.close();
    removeKeys(keys);
  });

  async function signIn(key: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 820 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${operator.url}/console/`);
    await page.getByLabel('Khóa truy cập').fill(key);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Tổng quan 24 giờ qua' }).waitFor();
    return page;
  }

  it('when an operator signs in, finds the SMS that failed on a wrong number, corrects it and resends, then Twilio accepts it at the right number and the console shows it sent', async () => {
    const page = await signIn(keys.operator);
    await page.getByText('Tin khẩn chưa đến người nhận').waitFor();
    await page.getByRole('link', { name: 'Tin gửi lỗi' }).click();
    await page.getByRole('heading', { name: 'Tin gửi lỗi' }).waitFor();
    await page.locator('#results tbody tr').nth(2).waitFor();
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByLabel('Người nhận (tên, số, email)').fill('nguyen van an');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    const row = page.locator('#results tbody tr', { hasText: 'Nguyễn Văn An' });
    await row.getByText('Số điện thoại không đúng').waitFor();
    await page.locator('#results tbody tr').nth(1).waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Sửa và gửi lại' }).click();
    await row.getByLabel('Số điện thoại đúng').fill('0905 123 456');
    await row.getByRole('button', { name: 'Gửi lại với thông tin đã sửa' }).click();
    await row.getByText('Đã sửa và gửi lại.').waitFor();

    await waitFor(() => twilio.accepted.some((r) => r.to === RIGHT && r.messageId.startsWith('r-')), { timeoutMs: 30_000, message: 'Twilio accepted the corrected SMS' });
    const accepted = twilio.accepted.filter((r) => r.to === RIGHT && r.messageId.startsWith('r-'));
    expect(accepted).toHaveLength(1);
    expect(twilio.accepted.filter((r) => r.to === WRONG)).toHaveLength(0);

    await row.getByRole('link', { name: 'Xem tin mới' }).click();
    await page.locator('#current-status').getByText('Đã gửi').waitFor({ timeout: 30_000 });
    await page.getByText('Gửi lại thay cho:').waitFor();
    await page.getByText('qua twilio').first().waitFor();
    await page.context().close();
  });

  it('when a viewer signs in, then the failed messages are listed with their reasons but there is no resend control anywhere', async () => {
    const page = await signIn(keys.viewer);
    await page.getByRole('link', { name: 'Tin gửi lỗi' }).click();
    await page.locator('#results tbody tr').first().waitFor();
    await page.getByText('Người nhận đã từ chối nhận tin nhắn').waitFor();
    expect(await page.getByRole('button', { name: 'Gửi lại' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sửa và gửi lại' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Gửi lại tất cả/ }).count()).toBe(0);
    await page.locator('#results tbody tr a').first().click();
    await page.getByRole('heading', { name: 'Các lần gửi' }).waitFor();
    expect(await page.getByRole('button', { name: /Gửi lại/ }).count()).toBe(0);
    expect(await page.locator('#nav-audit').isHidden()).toBe(true);
    await page.context().close();
  });

  it('when an operator starts a bulk resend, then a progress bar follows the job to the end', async () => {
    const page = await signIn(keys.operator);
    await page.getByRole('link', { name: 'Tin gửi lỗi' }).click();
    // Two failed: the one corrected above is one row with its resend, which was sent.
    await page.getByRole('button', { name: /Gửi lại tất cả 2 tin lỗi/ }).click();
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    await page.locator('[data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('2');
    await page.getByText('đã gửi lại 2, bỏ qua 0, lỗi 0').waitFor();
    await waitFor(() => twilio.requests.filter((r) => r.messageId.startsWith('r-')).length >= 3, { timeoutMs: 30_000, message: 'the two bulk resends reached Twilio' });
    await page.context().close();
  });

  it('when the test outbox is opened, then captured mail shows in a sandboxed frame with its text and calendar part, SMS with encoding and segments, and nothing in them runs', async () => {
    const page = await signIn(keys.viewer);
    await page.getByRole('link', { name: 'Hộp thư thử nghiệm' }).click();
    await page.getByText('UCS-2').waitFor();
    await page.getByRole('link', { name: /Giấy mời họp/ }).click();
    const frame = page.locator('iframe.mail');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('iframe.mail').getByRole('heading', { name: 'Kính mời đồng chí' }).waitFor();
    await page.getByText('METHOD:REQUEST').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.context().close();
  });

  describe('what the console says when a page cannot be loaded, and after a resend went through', () => {
    it('when the failed list is filtered with a "from" that is not a date, then the filter form stays and a Vietnamese message names the field', async () => {
      const page = await signIn(keys.viewer);
      await page.getByRole('link', { name: 'Tin gửi lỗi' }).click();
      await page.locator('#results tbody tr').first().waitFor();
      await page.getByLabel('Từ (ISO, vd. 2025-09-29T08:00:00+07:00)').fill('hôm qua');
      await page.getByRole('button', { name: 'Lọc', exact: true }).click();
      await page.getByRole('alert').getByText('Thông tin chưa đúng. Từ: phải là ngày hoặc ngày giờ theo ISO 8601').waitFor();
      expect(await page.locator('#results').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Lọc', exact: true }).isVisible()).toBe(true);
      await page.context().close();
    });

    it('when the failed list is asked for every attempt, then the corrected original shows beside the others, marked as resent, with no resend control', async () => {
      const page = await signIn(keys.operator);
      await page.getByRole('link', { name: 'Tin gửi lỗi' }).click();
      await page.locator('#results tbody tr').first().waitFor();
      expect(await page.locator('#results tbody tr', { hasText: 'Nguyễn Văn An' }).count()).toBe(0);
      await page.getByLabel('Hiện cả các lần gửi trước của tin đã gửi lại').check();
      await page.getByRole('button', { name: 'Lọc', exact: true }).click();
      const row = page.locator('#results tbody tr', { hasText: 'Nguyễn Văn An' });
      await row.getByText('Đã gửi lại:').waitFor();
      expect(await row.getByRole('button', { name: /Gửi lại/ }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /Gửi lại tất cả/ }).count()).toBe(0);
      await page.context().close();
    });

    it('when the original of the corrected resend is opened, then it says it was resent and offers no resend form', async () => {
      const page = await signIn(keys.operator);
      await page.goto(`${operator.url}/console/#/thong-bao/${encodeURIComponent(`${bed.prefix}-sms-1`)}`);
      await page.locator('#resent-as').getByText('Đã gửi lại:').waitFor();
      expect(await page.getByRole('button', { name: 'Gửi lại với thông tin đã sửa' }).count()).toBe(0);
      await page.context().close();
    });
  });
});
