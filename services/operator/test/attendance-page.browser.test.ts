import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { allTopics, withPrefix } from '@gateway/contracts';
import { linkCode, linkUrl, meetingExpiry } from '@gateway/attendance';
import { launchTestBrowser } from '@gateway/tests/support/browser';
import { createTopics, kafkaBrokers, uniqueName, waitFor } from '@gateway/tests/support/infra';
import type { RunningOperator } from '../src/main';
import { removeKeys, startTestOperator, writeKeys, type TestKeys } from './support';

jest.setTimeout(180_000);

// Test artifacts (ignored by git); docs/screenshots/attendance-*.png are committed copies for the README.
const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts');
const SECRET = 'browser-test-secret-of-enough-length-0123456';
const SOURCE = 'vpthanhuy-lichhop';

describe('the attendance page in a real browser at phone width', () => {
  let keys: TestKeys | undefined;
  let operator: RunningOperator | undefined;
  let browser: Browser | undefined;
  let link: string;

  beforeAll(async () => {
    const prefix = uniqueName('attendance-page');
    await createTopics(kafkaBrokers(), allTopics(withPrefix(prefix)), 1);
    keys = writeKeys();
    operator = await startTestOperator(prefix, keys, { env: { ATTENDANCE_LINK_SECRET: SECRET, ATTENDANCE_GROUP_ID: `${prefix}-attendance` } });
    const start = new Date(Date.now() + 3 * 24 * 3600_000);
    start.setUTCHours(1, 0, 0, 0);
    const end = new Date(start.getTime() + 3.5 * 3600_000);
    const meetingId = 'vptu-hop-2025-0512';
    const personId = 'nguyen-van-an';
    const code = linkCode(SECRET, { source: SOURCE, meetingId, personId });
    const expiresAt = meetingExpiry(start.toISOString(), end.toISOString());
    await operator.stores.attendance.links.saveMeeting(
      {
        source: SOURCE,
        meetingId,
        version: 0,
        title: 'Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3 (mở rộng), nhiệm kỳ 2025 - 2030',
        start: start.toISOString(),
        end: end.toISOString(),
        timeText: 'từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025',
        location: 'Hội trường Thành ủy, 08 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng',
        chair: 'Đồng chí Bí thư Thành ủy',
        cancelled: false,
        confirmationRequired: true,
        expiresAt,
        invitees: [{ personId, name: 'Nguyễn Văn An', title: 'Phó Bí thư Thường trực Thành ủy' }],
      },
      [{ code, source: SOURCE, meetingId, personId, expiresAt }],
    );
    link = linkUrl(operator.url, code);
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await operator?.stop();
    removeKeys(keys);
  });

  it('when a recipient opens the link on a 390 px phone and sends a delegate, then the page fits the width, checks the reason, and confirms the answer', async () => {
    const context = await (browser as Browser).newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(link);
    await page.getByText('Nguyễn Văn An').first().waitFor();
    // Nothing wider than the phone: no sideways scrolling.
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'attendance-page.png'), fullPage: true });

    // Absent without a reason: the page says which field is missing.
    await page.getByRole('radio', { name: 'Vắng mặt' }).check();
    await page.getByRole('button', { name: 'Gửi xác nhận' }).click();
    await page.getByText('Chưa có lý do vắng mặt').waitFor();

    await page.getByRole('radio', { name: 'Cử người dự thay' }).check();
    await page.getByLabel('Họ và tên người dự thay').fill('Lê Văn Cường');
    await page.getByLabel('Chức vụ', { exact: true }).fill('Phó Chánh Văn phòng Thành ủy');
    await page.getByLabel('Số điện thoại').fill('0905 111 222');
    await page.getByRole('button', { name: 'Gửi xác nhận' }).click();
    await page.getByText('Đã ghi nhận ý kiến của đồng chí').waitFor();
    expect(await page.getByText('Cử người dự thay: Lê Văn Cường, Phó Chánh Văn phòng Thành ủy, +84905111222').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'attendance-page-answered.png'), fullPage: true });
    // The strict CSP blocked nothing the page needs (its one style carries the nonce).
    expect(blocked).toEqual([]);
    const answered = await waitFor(async () => (await operator?.stores.attendance.answers.answerOf(SOURCE, 'vptu-hop-2025-0512', 'nguyen-van-an'))?.answer, { timeoutMs: 30_000, message: 'answer projected' });
    expect(answered).toBe('delegate');
    await context.close();
  });
});
