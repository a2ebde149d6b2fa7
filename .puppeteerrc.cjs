/**
 * Puppeteer must never download its own Chrome: machines here (and many CI hosts) have no internet
 * beyond package registries, and the failed download would fail `npm ci`. We launch Debian's
 * /usr/bin/chromium (or PUPPETEER_EXECUTABLE_PATH) instead.
 */
module.exports = {
  skipDownload: true,
  chrome: { skipDownload: true },
  'chrome-headless-shell': { skipDownload: true },
  firefox: { skipDownload: true },
};
