import { chooseBrowser, DEBIAN_CHROMIUM, type BrowserChoiceDeps } from './browser';

const PACKED_ARGS = ['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', "--headless='shell'", '--no-sandbox'];

function deps(debianInstalled: boolean): BrowserChoiceDeps & { packedLoads: number } {
  const fake = {
    packedLoads: 0,
    exists: (path: string) => debianInstalled && path === DEBIAN_CHROMIUM,
    packed: async () => {
      fake.packedLoads += 1;
      return { executablePath: async () => '/tmp/chromium', args: PACKED_ARGS };
    },
  };
  return fake;
}

describe('chooseBrowser', () => {
  it("when Debian's Chromium is installed, then it is used and the packed one is never extracted", async () => {
    const fake = deps(true);
    const choice = await chooseBrowser(fake);
    expect(choice).toMatchObject({ source: 'debian', executablePath: DEBIAN_CHROMIUM });
    expect(choice.args).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']));
    expect(fake.packedLoads).toBe(0);
  });

  it("when Debian's Chromium is missing, then the project's packed Chromium is used with its own flags, less those that would weaken page security", async () => {
    const choice = await chooseBrowser(deps(false));
    expect(choice.source).toBe('packaged');
    expect(choice.executablePath).toBe('/tmp/chromium');
    expect(choice.args).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']));
    expect(choice.args).not.toEqual(expect.arrayContaining(['--disable-web-security']));
    expect(choice.args.filter((arg) => /^--(headless|allow-running-insecure-content|disable-site-isolation-trials|single-process)/.test(arg))).toEqual([]);
  });
});
